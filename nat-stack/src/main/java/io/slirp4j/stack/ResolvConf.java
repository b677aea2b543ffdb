package io.slirp4j.stack;

import io.slirp4j.stack.wire.Ipv4Address;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * {@link Nameservers} read from a resolv.conf file.
 *
 * <p>Theory of operation: the file is parsed once at construction. Later calls to {@link #current()} look at the
 * file's attributes at most once per second of the injected clock and re-read it only when its modification
 * time, size or identity (device and inode, via {@link BasicFileAttributes#fileKey()}) changed: editors and
 * resolvconf/systemd-resolved replace the file by renaming, which changes the inode and may keep size and time.
 * Attributes follow symlinks, so a /etc/resolv.conf pointing into /run is tracked by its target. A missing file
 * means no nameservers; an unreadable one keeps the last good list.
 *
 * <p>Parsing follows glibc's resolver in spirit: lines whose first word is {@code nameserver} give an address;
 * '#' or ';' start a comment; other keywords are ignored. Only literal addresses are accepted (IPv4 dotted quad,
 * IPv6 with an optional {@code %zone}): nothing here ever triggers a name lookup. All nameservers are kept (glibc
 * uses the first three; the forwarder fails over through all). Port is always 53.
 *
 * <p>Not thread-safe: used on the stack's event loop.
 */
public final class ResolvConf implements Nameservers {
    public static final Path DEFAULT_PATH = Path.of("/etc/resolv.conf");
    public static final int DNS_PORT = 53;
    static final long RECHECK_INTERVAL_MS = 1000;

    private final Path path;
    private final LongSupplier clock;
    private List<InetSocketAddress> servers = List.of();
    private long lastCheck;
    private Object fileKey;
    private long size = -1;
    private long modified = Long.MIN_VALUE;
    private boolean present;

    public ResolvConf(Path path, LongSupplier clockMillis) {
        this.path = Objects.requireNonNull(path, "path");
        this.clock = Objects.requireNonNull(clockMillis, "clockMillis");
        this.lastCheck = clock.getAsLong();
        reloadIfChanged();
    }

    @Override
    public List<InetSocketAddress> current() {
        long now = clock.getAsLong();
        if (now - lastCheck >= RECHECK_INTERVAL_MS) {
            lastCheck = now;
            reloadIfChanged();
        }
        return servers;
    }

    public Path path() {
        return path;
    }

    private void reloadIfChanged() {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            present = false;
            servers = List.of();
            return;
        } catch (IOException | SecurityException e) {
            return;
        }
        long newModified = attributes.lastModifiedTime().toMillis();
        Object newKey = attributes.fileKey();
        if (present && newModified == modified && attributes.size() == size && Objects.equals(newKey, fileKey)) {
            return;
        }
        try {
            String text = Files.readString(path, StandardCharsets.ISO_8859_1);
            servers = parse(text);
            present = true;
            modified = newModified;
            size = attributes.size();
            fileKey = newKey;
        } catch (NoSuchFileException e) {
            present = false;
            servers = List.of();
        } catch (IOException | SecurityException e) {
            // keep the last good list; the next check tries again because 'present/modified' were not updated
        }
    }

    /** Parses resolv.conf text into nameserver addresses with port 53, in file order, duplicates removed. */
    public static List<InetSocketAddress> parse(String text) {
        List<InetSocketAddress> result = new ArrayList<>(3);
        for (String line : text.split("\\r?\\n|\\r")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.charAt(0) == '#' || trimmed.charAt(0) == ';') {
                continue;
            }
            String[] words = trimmed.split("[ \\t]+");
            if (words.length < 2 || !words[0].equals("nameserver")) {
                continue;
            }
            InetAddress address = parseLiteral(words[1]);
            if (address != null) {
                InetSocketAddress server = new InetSocketAddress(address, DNS_PORT);
                if (!result.contains(server)) {
                    result.add(server);
                }
            }
        }
        return Collections.unmodifiableList(result);
    }

    /** An IPv4 or IPv6 literal, or null. Never resolves a name. */
    static InetAddress parseLiteral(String text) {
        if (text.indexOf(':') < 0) {
            try {
                return Ipv4Address.toInetAddress(Ipv4Address.parse(text));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        int percent = text.indexOf('%');
        String address = percent < 0 ? text : text.substring(0, percent);
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
                return null;
            }
        }
        if (percent >= 0) {
            String zone = text.substring(percent + 1);
            if (zone.isEmpty() || !zone.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_'
                || c == '.')) {
                return null;
            }
        }
        try {
            // The brackets make the JDK treat the text strictly as an IPv6 literal: invalid input fails instead
            // of falling back to a DNS lookup.
            return InetAddress.getByName("[" + text + "]");
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }
}
