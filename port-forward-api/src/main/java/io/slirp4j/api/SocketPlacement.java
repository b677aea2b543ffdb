package io.slirp4j.api;

import io.slirp4j.tap.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Puts a listening unix socket at a path so that only its owner can ever connect, whatever the process umask.
 *
 * <p>bind(2) creates the socket file with mode {@code 0777 & ~umask}, and a JVM cannot change its umask safely
 * (it is process-wide). So the socket is bound inside a fresh directory of mode 0700 next to the final path, where
 * no one else can reach it; it is then chmod'ed to 0600 and rename(2)d onto the final path, which atomically
 * replaces any file there (slirp4netns unlinks and binds, leaving a moment with no socket at all). The directory
 * is on the same file system as the final path, so the rename cannot fail for crossing devices.
 *
 * <p>The temporary path is a few bytes longer than the final one when the final file name is short. If it does not
 * fit in a unix socket address, the bind goes through {@code /proc/self/fd/N/s}, N an O_PATH descriptor of the
 * private directory: every path that fits slirp4netns fits here too.
 *
 * <p>The socket's file key (device and inode) is kept, so that closing removes the path only while it still is
 * this socket, not a successor's.
 */
final class SocketPlacement implements AutoCloseable {
    /** sun_path holds 108 bytes including the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;

    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_SOCKET = PosixFilePermissions.fromString("rw-------");
    private static final String NAME_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int RANDOM_NAME_LENGTH = 6;
    private static final String SOCKET_NAME = "s";
    private static final int NO_FD = -1;

    private final Path target;
    private final Path directory;
    /** An O_PATH descriptor of {@link #directory} while the bind goes through /proc, else {@link #NO_FD}. */
    private int directoryFd = NO_FD;
    private Path bindPath;

    private SocketPlacement(Path target, Path directory) {
        this.target = target;
        this.directory = directory;
        this.bindPath = directory.resolve(SOCKET_NAME);
    }

    /** Creates the private directory next to {@code target}; fails if {@code target} is too long. */
    static SocketPlacement prepare(Path target) throws IOException {
        requireShortEnough(target);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; ; attempt++) {
            StringBuilder name = new StringBuilder(".api");
            for (int i = 0; i < RANDOM_NAME_LENGTH; i++) {
                name.append(NAME_CHARACTERS.charAt(random.nextInt(NAME_CHARACTERS.length())));
            }
            Path directory = target.resolveSibling(name.toString());
            try {
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
            } catch (FileAlreadyExistsException e) {
                // mkdir is exclusive: someone else's name (or a squatter's) only costs another try
                if (attempt == 100) {
                    throw e;
                }
                continue;
            }
            SocketPlacement placement = new SocketPlacement(target, directory);
            try {
                // the umask may have taken the owner's bits too; it can never have added others'
                Files.setPosixFilePermissions(directory, OWNER_ONLY_DIRECTORY);
                if (byteLength(placement.bindPath) > MAX_PATH_BYTES) {
                    placement.bindThroughProc();
                }
            } catch (IOException | RuntimeException e) {
                placement.close();
                throw e;
            }
            return placement;
        }
    }

    private void bindThroughProc() throws IOException {
        directoryFd = Posix.openDirectoryPath(directory.toString());
        Path viaProc = Path.of("/proc/self/fd/" + directoryFd);
        if (!Files.isDirectory(viaProc)) {
            // no /proc in this mount namespace: the long path is all there is
            requireShortEnough(bindPath);
        }
        bindPath = viaProc.resolve(SOCKET_NAME);
    }

    /** Where to bind now: inside the private directory. */
    Path bindPath() {
        return bindPath;
    }

    /** Makes the bound socket 0600 and moves it onto the target; returns its file key. */
    Object publish() throws IOException {
        Files.setPosixFilePermissions(bindPath, OWNER_ONLY_SOCKET);
        // read before the rename (which keeps the inode): afterwards the target could already be someone else's
        Object fileKey = Files.readAttributes(bindPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
            .fileKey();
        Files.move(bindPath, target, StandardCopyOption.ATOMIC_MOVE);
        return fileKey;
    }

    /** Removes the private directory, and the socket in it if it was not published. */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(bindPath);
            Files.deleteIfExists(directory);
        } finally {
            if (directoryFd != NO_FD) {
                Posix.close(directoryFd);
                directoryFd = NO_FD;
            }
        }
    }

    /** Deletes {@code path} if it is still the file with {@code fileKey}; true if it did. */
    static boolean deleteIfSame(Path path, Object fileKey) {
        try {
            Object current = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
            if (fileKey != null && Objects.equals(current, fileKey)) {
                return Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // gone already, or not ours to touch
        }
        return false;
    }

    private static int byteLength(Path path) {
        return path.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    private static void requireShortEnough(Path path) throws IOException {
        int length = byteLength(path);
        if (length > MAX_PATH_BYTES) {
            throw new IOException("path too long: binding needs " + length + " bytes (" + path + "), at most "
                + MAX_PATH_BYTES + " fit in a unix socket address");
        }
    }
}
