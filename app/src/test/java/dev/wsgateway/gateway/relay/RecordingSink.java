package dev.wsgateway.gateway.relay;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link FrameSink} that records each write with its flags, for pump tests.
 */
final class RecordingSink implements FrameSink {
    record Write(byte[] bytes, boolean startsFrame, boolean endsFrame, boolean messageOpen) {
    }

    final List<Write> writes = new ArrayList<>();
    final List<byte[]> closes = new ArrayList<>();
    boolean writerEnded;
    boolean closed;

    @Override
    public boolean write(byte[] bytes, int offset, int length, boolean startsFrame, boolean endsFrame,
                         boolean messageOpen, boolean stable) {
        writes.add(new Write(Arrays.copyOfRange(bytes, offset, offset + length), startsFrame, endsFrame, messageOpen));
        return true;
    }

    byte[] written() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writes.forEach(w -> out.writeBytes(w.bytes()));
        return out.toByteArray();
    }

    @Override
    public void forwardClose(byte[] frame, int code) {
        closes.add(frame.clone());
    }

    @Override
    public boolean closeSent() {
        return !closes.isEmpty();
    }

    @Override
    public void writerEnded() {
        writerEnded = true;
    }

    @Override
    public boolean closeHandshakeDone() {
        return false;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String name() {
        return "recording";
    }
}
