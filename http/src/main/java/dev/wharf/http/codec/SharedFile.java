package dev.wharf.http.codec;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open file lent to several writes queued on a connection. A queued file write (a response's
 * {@code writeFile}, core's {@code Connection.writeFile}) closes the channel it is given once that
 * stretch is sent (or the connection closes), so a multi-range answer that queues each part as a
 * stretch of the same file gives each a {@link #lend() lease}: a channel onto the file whose close
 * gives its share back. The file closes when the last share is given back, the lender's own ({@link
 * #close()}) included: one descriptor a request, however many parts, and none left once the parts
 * are sent or dropped with their connection. HTTP/2 lends one for each DATA frame cut from a file.
 *
 * <p>Leases are for positional use (transferTo, read at a position), as queued writes make; their
 * relative position is the file's own, shared. Thread-safe.
 */
public final class SharedFile implements Closeable {
  private final FileChannel file;
  private final AtomicInteger shares = new AtomicInteger(1); // The lender's own.
  private final AtomicBoolean lenderDone = new AtomicBoolean();

  public SharedFile(FileChannel file) {
    this.file = file;
  }

  /** A channel onto the file for one queued write; closing it gives its share back. */
  public FileChannel lend() {
    if (lenderDone.get()) {
      throw new IllegalStateException("the lender has given the file back");
    }
    shares.incrementAndGet();
    return new Lease();
  }

  /** Gives the lender's share back; the file closes now unless leases are still out. */
  @Override
  public void close() throws IOException {
    if (lenderDone.compareAndSet(false, true)) {
      giveBack();
    }
  }

  private void giveBack() throws IOException {
    if (shares.decrementAndGet() == 0) {
      file.close();
    }
  }

  /** The file, to one holder; its close (once, as for any channel) gives a share back. */
  private final class Lease extends FileChannel {
    @Override
    protected void implCloseChannel() throws IOException {
      giveBack();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return file.transferTo(position, count, target); // The file's own: sendfile where it can.
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return file.read(dst, position);
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return file.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return file.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return file.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      return file.write(srcs, offset, length);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return file.write(src, position);
    }

    @Override
    public long position() throws IOException {
      return file.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      file.position(newPosition);
      return this;
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      file.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      file.force(metaData);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count)
        throws IOException {
      return file.transferFrom(src, position, count);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return file.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return file.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return file.tryLock(position, size, shared);
    }
  }
}
