package io.slirp4j.cli;

import java.nio.charset.StandardCharsets;

/** Linux network interface names, checked the way the kernel's dev_valid_name() does. */
final class InterfaceName {
    /** IFNAMSIZ, including the terminating NUL. */
    static final int IFNAMSIZ = 16;

    private InterfaceName() {}

    static boolean isValid(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length >= IFNAMSIZ || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (byte b : bytes) {
            // the kernel's isspace() also counts 0xA0 (Latin-1 NBSP), which can occur inside UTF-8 sequences
            boolean space = b == ' ' || (b >= 0x09 && b <= 0x0d) || b == (byte) 0xa0;
            if (b == '/' || b == ':' || space) {
                return false;
            }
        }
        return true;
    }
}
