package io.slirp4j;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/**
 * Runs an action once a file is deleted, as pasta ends when the engine removes the netns file it was given (podman
 * unmounts and unlinks it when the container's network goes). The JDK's watch service on Linux is an inotify watch
 * of the file's directory; the watch outlives the sandbox, which hides that directory from later lookups.
 */
final class NetnsDeletionWatch {
    private NetnsDeletionWatch() {}

    static void start(Path file, Runnable onDeleted) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path name = file.getFileName();
        WatchService watch = FileSystems.getDefault().newWatchService();
        dir.register(watch, StandardWatchEventKinds.ENTRY_DELETE);
        if (!Files.exists(file)) {
            // gone before the watch began: the namespace is already given up
            watch.close();
            onDeleted.run();
            return;
        }
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    WatchKey key = watch.take();
                    for (WatchEvent<?> event : key.pollEvents()) {
                        // (an overflow, which a deletion or two in that directory cannot cause, is not a deletion)
                        if (event.kind() == StandardWatchEventKinds.ENTRY_DELETE && name.equals(event.context())) {
                            onDeleted.run();
                            return;
                        }
                    }
                    if (!key.reset()) {
                        onDeleted.run(); // the directory itself went away
                        return;
                    }
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                // the helper is ending anyway
            }
        }, "slirp4j-netns-watch");
        t.setDaemon(true);
        t.start();
    }
}
