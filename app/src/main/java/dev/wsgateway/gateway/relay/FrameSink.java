package dev.wsgateway.gateway.relay;

/**
 * Where a pump writes: the client's connection, or the session's upstream side (which holds frames while the
 * session fails over to another instance).
 */
interface FrameSink {
    /**
     * Write bytes as they are.
     *
     * @param bytes       buffer
     * @param offset      offset
     * @param length      length
     * @param startsFrame whether the bytes start at a frame boundary
     * @param endsFrame   whether the bytes end at a frame boundary
     * @param messageOpen whether a fragmented data message is still open after these bytes
     * @param stable      whether the bytes stay as they are after the call (the array is not reused), so the sink may
     *                    keep a reference instead of a copy
     * @return {@code false} when nothing more should be written (the sink is closed or failed)
     */
    boolean write(byte[] bytes, int offset, int length, boolean startsFrame, boolean endsFrame, boolean messageOpen,
                  boolean stable);

    /**
     * Forward a close frame (raw bytes) unless a close was already sent.
     *
     * @param frame the whole frame
     * @param code  its close code
     */
    void forwardClose(byte[] frame, int code);

    boolean closeSent();

    /**
     * The pump writing into this sink has ended. If it ended inside a frame, nothing may be written after the partial
     * frame: the connection is dropped.
     */
    void writerEnded();

    boolean closeHandshakeDone();

    void close();

    String name();
}
