package io.slirp4j;

import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.forward.ForwardRequest;
import java.nio.file.Path;
import java.util.List;

/**
 * What the helper is to do, resolved from the command line: where the tap comes from, how to configure it,
 * the virtual network, and the lifecycle fds.
 *
 * @param netns     the target network namespace file, or null with an inherited tap fd
 * @param userns    the user namespace to join first when unprivileged, or null
 * @param tapFd     an already-open tap fd ({@code --netns-type=tapfd}), or -1
 * @param tapName   the tap device to create or attach to (null with tapFd)
 * @param configure {@code -c}
 * @param mac       {@code --macaddress}, or null
 * @param readyFd   {@code -r}, or -1
 * @param exitFd    {@code -e}, or -1
 * @param apiSocket {@code -a}, or null
 * @param publish   {@code -p}: forwards to open before reporting ready
 */
public record Launch(Path netns, Path userns, int tapFd, String tapName, boolean configure, byte[] mac,
                     NetworkConfig network, int readyFd, int exitFd, Path apiSocket, List<ForwardRequest> publish) {
    public Launch {
        publish = List.copyOf(publish);
    }
}
