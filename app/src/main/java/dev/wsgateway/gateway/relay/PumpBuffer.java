package dev.wsgateway.gateway.relay;

/**
 * The byte side of a {@link FramePump}: the chunk last read from the source, the read position in it, and the range
 * of it approved for writing to the destination. Bytes pass through in the chunks the socket delivered them, without
 * a copy; several small frames read together are written together. Payloads larger than the socket's read buffer
 * stream through a pooled 64 KiB buffer. The frame state lives in the subclass; this class only needs to know whether
 * a fragmented message is open (for {@link FrameSink#write}).
 *
 * <p>Confined to the pump's thread: no field is shared, nothing is locked.
 */
abstract class PumpBuffer {
    private static final byte[] EMPTY = new byte[0];
    private static final int BULK_THRESHOLD = 16 * 1024;

    final Leg src;
    final FrameSink dst;

    /** The chunk being read, its end, and the read position in it. */
    byte[] chunk = EMPTY;
    int limit;
    int pos;
    /** Counts chunks, so that a frame can tell whether it was read from one chunk (and can be written from it). */
    long chunkSeq;
    private boolean pooled;
    private boolean stable;
    /** Payload bytes still to come after this chunk (chooses the pooled buffer for the next read). */
    private long payloadLeft;

    /** The range approved for writing, and whether it starts a frame. */
    private int outStart;
    private int outEnd;
    private boolean outStartsFrame = true;
    /** Whether the read position is inside a forwarded payload (the range does not end a frame). */
    private boolean inPayload;
    /** Whether a frame was begun on the destination and not ended. */
    private boolean dstFrameOpen;
    /** Where the frame that the range continues ends in it, or -1. */
    private int rangeFrameEnd = -1;

    PumpBuffer(Leg src, FrameSink dst) {
        this.src = src;
        this.dst = dst;
    }

    /**
     * @return whether a fragmented data message is open after the bytes read so far
     */
    abstract boolean messageOpen();

    /**
     * Copy {@code length} bytes from the stream into {@code target}, reading more as needed.
     *
     * @return {@code false} when the stream ended first
     */
    final boolean readInto(byte[] target, int offset, int length) {
        int copied = 0;
        while (copied < length) {
            if (pos == limit && !nextChunk()) {
                return false;
            }
            int take = Math.min(length - copied, limit - pos);
            System.arraycopy(chunk, pos, target, offset + copied, take);
            pos += take;
            copied += take;
        }
        return true;
    }

    /**
     * Pass over {@code length} payload bytes, forwarding them when asked.
     *
     * @return {@code false} when the stream ended first
     */
    final boolean skip(long length, boolean forward) {
        long remaining = length;
        inPayload = forward && remaining > 0;
        while (remaining > 0) {
            payloadLeft = remaining - (limit - pos);
            if (pos == limit && !nextChunk()) {
                return false;
            }
            int take = (int) Math.min(remaining, limit - pos);
            if (forward) {
                approve(pos, pos + take, false);
            }
            pos += take;
            remaining -= take;
        }
        inPayload = false;
        payloadLeft = 0;
        if (forward && !outStartsFrame && rangeFrameEnd < 0) {
            rangeFrameEnd = pos;
        }
        if (!forward) {
            dropRange();
        }
        return true;
    }

    /**
     * Add bytes to the range to write; a range that does not continue the pending one starts a new one.
     */
    final void approve(int from, int to, boolean startsFrame) {
        if (outEnd != from || outEnd == outStart) {
            flush();
            outStart = from;
            outStartsFrame = startsFrame;
        }
        outEnd = to;
    }

    /**
     * Write the pending range, then start an empty one at the read position: what was read since is not forwarded.
     */
    final void skipRange() {
        flush();
        dropRange();
    }

    private void dropRange() {
        outStart = pos;
        outEnd = pos;
    }

    /**
     * Write a frame header read across chunks (its payload follows through the range).
     */
    final void writeHeader(byte[] header, int headerLength, long payloadLength) {
        flush();
        if (!dst.closeSent()) {
            dst.write(header, 0, headerLength, true, payloadLength == 0, messageOpen(), false);
            dstFrameOpen = payloadLength != 0;
        }
        outStartsFrame = false;
    }

    /**
     * Write the pending range. Once the destination's close was sent (or waits, see {@link Leg}), only the rest of a
     * frame already begun on it is written: that frame must end before the close can go out.
     */
    final void flush() {
        if (outEnd > outStart) {
            if (!dst.closeSent()) {
                dst.write(chunk, outStart, outEnd - outStart, outStartsFrame, !inPayload, messageOpen(), stable);
                dstFrameOpen = inPayload;
            } else if (dstFrameOpen && !outStartsFrame) {
                boolean ends = rangeFrameEnd >= 0;
                dst.write(chunk, outStart, (ends ? rangeFrameEnd : outEnd) - outStart, false, ends, messageOpen(),
                        stable);
                dstFrameOpen = !ends;
            }
            outStart = outEnd;
            outStartsFrame = !inPayload;
        }
        rangeFrameEnd = -1;
    }

    /**
     * Read more from the source. Payloads larger than the socket's read buffer stream through a pooled 64 KiB
     * buffer (fewer, larger reads and writes); otherwise the leg reads the way its connection reads best (see
     * {@link Leg#fill()}).
     */
    private boolean nextChunk() {
        flush();
        // an idle session keeps no payload bytes: drop the reference (and the pooled buffer) before blocking
        release();
        pos = 0;
        outStart = 0;
        outEnd = 0;
        outStartsFrame = !inPayload;
        chunkSeq++;
        if (payloadLeft >= BULK_THRESHOLD) {
            byte[] buffer = BufferPool.take();
            int n = src.read(buffer);
            if (n < 0) {
                BufferPool.give(buffer);
                return false;
            }
            chunk = buffer;
            limit = n;
            pooled = true;
            stable = false;
            return true;
        }
        int n = src.fill();
        if (n < 0) {
            return false;
        }
        chunk = src.chunk();
        limit = n;
        stable = src.chunkStable();
        return true;
    }

    /**
     * Drop the chunk (and give back a pooled buffer).
     */
    final void release() {
        if (pooled) {
            BufferPool.give(chunk);
            pooled = false;
        }
        chunk = EMPTY;
        limit = 0;
        src.dropChunk();
    }

    /**
     * Read the next chunk when the current one is used up.
     *
     * @return {@code false} when the stream ended
     */
    final boolean ensureChunk() {
        return pos != limit || nextChunk();
    }
}
