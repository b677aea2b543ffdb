package io.slirp4j.cli;

/** A MAC address for the tap ({@code --macaddress}), held in the low 48 bits of a long so the record stays immutable. */
public record MacAddress(long value) {

    public MacAddress {
        if ((value & ~0xffff_ffff_ffffL) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits");
        }
    }

    /**
     * Parses {@code xx:xx:xx:xx:xx:xx} (hex, either case). Multicast and all-zero addresses are refused here,
     * because the kernel would refuse them later with a less helpful error when -c sets them on the tap.
     */
    static MacAddress parse(String text) throws UsageException {
        String[] parts = text.split(":", -1);
        boolean wellFormed = parts.length == 6;
        long value = 0;
        for (int i = 0; wellFormed && i < 6; i++) {
            int octet = parts[i].length() == 2 ? hexOctet(parts[i]) : -1;
            wellFormed = octet >= 0;
            value = value << 8 | octet;
        }
        if (!wellFormed) {
            throw UsageException.invalid("--macaddress must look like xx:xx:xx:xx:xx:xx with hex digits (got '" + text + "')");
        }
        if ((value & 0x0100_0000_0000L) != 0 || value == 0) {
            throw UsageException.invalid("--macaddress must be a unicast address, not multicast or zero (got '" + text + "')");
        }
        return new MacAddress(value);
    }

    private static int hexOctet(String two) {
        int high = Character.digit(two.charAt(0), 16);
        int low = Character.digit(two.charAt(1), 16);
        return high < 0 || low < 0 ? -1 : high << 4 | low;
    }

    /** The six bytes, most significant first, as ioctl(SIOCSIFHWADDR) wants them. */
    public byte[] bytes() {
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) (value >>> (40 - 8 * i));
        }
        return bytes;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(17);
        for (byte b : bytes()) {
            if (text.length() > 0) {
                text.append(':');
            }
            text.append(Character.forDigit(b >> 4 & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return text.toString();
    }
}
