package io.slirp4j.pasta;

/**
 * The C number parsers pasta's option handling relies on, so that what pasta accepts (and only that) is accepted.
 */
final class CNumbers {
    private CNumbers() {}

    /** A parse: the value (saturated at Long.MAX_VALUE on overflow), and the index just past the digits. */
    record Parsed(long value, int end, boolean overflow) {}

    /**
     * glibc strtoul: leading white space, an optional sign, digits in base (16 allows "0x"); a '-' negates modulo
     * 2^64, which for any non-zero value is beyond every limit pasta checks, reported here as overflow. end equals
     * from when nothing was converted.
     */
    static Parsed strtoul(String s, int from, int base) {
        int i = from;
        while (i < s.length() && " \t\n\u000b\f\r".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        if (base == 16 && i + 2 < s.length() + 0 && s.charAt(i) == '0' && (s.charAt(i + 1) | 0x20) == 'x'
            && Character.digit(s.charAt(i + 2), 16) >= 0) {
            i += 2;
        }
        Parsed digits = digits(s, i, base);
        if (digits.end() == i) {
            return new Parsed(0, from, false);
        }
        boolean overflow = digits.overflow() || (negative && digits.value() != 0);
        return new Parsed(overflow ? Long.MAX_VALUE : digits.value(), digits.end(), overflow);
    }

    /**
     * passt's parse_unsigned() followed by parse_eoi(): the whole text is an unsigned number, no sign or space;
     * base 0 takes C's prefixes (0x hexadecimal, 0 octal). Null if not.
     */
    static Long unsignedWhole(String s, int base) {
        int i = 0;
        int radix = base;
        if (base == 0) {
            radix = 10;
            if (s.length() > 1 && s.charAt(0) == '0') {
                if ((s.charAt(1) | 0x20) == 'x' && s.length() > 2) {
                    radix = 16;
                    i = 2;
                } else {
                    radix = 8;
                    i = 1;
                }
            }
        }
        Parsed digits = digits(s, i, radix);
        if (digits.end() == i || digits.end() != s.length() || digits.overflow()) {
            return null;
        }
        return digits.value();
    }

    private static Parsed digits(String s, int from, int radix) {
        long value = 0;
        boolean overflow = false;
        int i = from;
        for (; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), radix);
            if (d < 0 || s.charAt(i) > 'z') {
                break;
            }
            if (value > (Long.MAX_VALUE - d) / radix) {
                overflow = true;
            } else {
                value = value * radix + d;
            }
        }
        return new Parsed(value, i, overflow);
    }
}
