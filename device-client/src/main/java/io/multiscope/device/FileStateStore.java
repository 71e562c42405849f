package io.multiscope.device;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps the state in one file, written so that a crash or power cut at any moment leaves either the old or the new
 * file: the bytes go to a temporary file in the same directory, which is flushed to the storage device ({@code
 * fsync}), then renamed over the target in one atomic step, and the directory is flushed so the rename itself
 * survives.
 *
 * <p>The state file holds the device's assignment, not its keys, but it still says which hub the device uses; on
 * file systems with POSIX permissions it is created readable and writable by the owner only ({@code rw-------}), and
 * a directory it has to create gets {@code rwx------}. Elsewhere (Windows) the platform's defaults apply.
 *
 * <pre>{@code FileStateStore.at(Path.of("/var/lib/acme/provisioning.json"))}</pre>
 */
public final class FileStateStore implements ProvisioningStateStore {

    /** A state file is well under a kilobyte; anything much larger is not ours. */
    static final int MAX_BYTES = 256 * 1024;

    private final Path file;

    private FileStateStore(Path file) {
        this.file = file;
    }

    /**
     * A store keeping the state in {@code file}; its directory is created on the first write if missing.
     *
     * @throws IllegalArgumentException if {@code file} has no file name or is an existing directory
     */
    public static FileStateStore at(Path file) {
        Objects.requireNonNull(file, "file");
        Path absolute = file.toAbsolutePath().normalize();
        if (absolute.getFileName() == null || absolute.getParent() == null) {
            throw new IllegalArgumentException("the state file must be a file path, not '" + file + "'");
        }
        if (Files.isDirectory(absolute)) {
            throw new IllegalArgumentException("the state file '" + file + "' is a directory");
        }
        return new FileStateStore(absolute);
    }

    /** The state file. */
    public Path file() {
        return file;
    }

    @Override
    public Optional<byte[]> read() throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IOException("the state file " + file + " is larger than " + MAX_BYTES
                        + " bytes; it is not a provisioning state file");
            }
            return Optional.of(bytes);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void write(byte[] state) throws IOException {
        Objects.requireNonNull(state, "state");
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, ownerOnly(dir, "rwx------"));
        }
        Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", ownerOnly(dir, "rw-------"));
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(state);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            restrictWhereNoPosix(temp);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // Same directory, so this only happens on exotic file systems; a plain replace is the best left.
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(dir);
    }

    @Override
    public void clear() throws IOException {
        Files.deleteIfExists(file);
        syncDirectory(file.getParent());
    }

    /** Create-time POSIX permissions where supported, so the file is never readable by others, even briefly. */
    private static FileAttribute<?>[] ownerOnly(Path dir, String permissions) {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        Set<PosixFilePermission> perms = PosixFilePermissions.fromString(permissions);
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)};
    }

    /** Without POSIX permissions, at least take away read access for everyone but the owner. */
    private static void restrictWhereNoPosix(Path path) {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        // Best effort: where these fail, the platform's defaults stay in force.
        File f = path.toFile();
        f.setReadable(false, false);
        f.setReadable(true, true);
        f.setWritable(false, false);
        f.setWritable(true, true);
    }

    /** Flushes the directory entry (the rename) to storage where the platform allows opening a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open directories; its rename is durable once it returns, so there is nothing to do.
        }
    }

    @Override
    public String toString() {
        return "FileStateStore[" + file + "]";
    }
}
