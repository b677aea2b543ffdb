package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * DHCPv6 client/server message view (RFC 8415 8): message type, 24-bit transaction id, then options
 * (2-byte code, 2-byte length, value). Relay messages (12, 13) have another layout and are UNSUPPORTED.
 *
 * <pre>
 *  0        8                        31
 *  |msg-type|      transaction-id      |
 *  | option-code     | option-len       | option-data ... | next option ...
 * </pre>
 *
 * <p>Theory of operation: the server this is for is stateless (RFC 8415 6.1, formerly RFC 3736): it hands out DNS
 * configuration, never addresses, as libslirp's does (the address comes from SLAAC on the router advertisement's
 * prefix). {@link #wrap} walks the options once, checking each length against the message and the few rules a
 * server relies on (a DUID of 3..130 bytes, an even option request list, fixed-size elapsed time and rapid commit,
 * IA headers complete), and remembers where the options it needs are, so nothing later can read out of bounds.
 * Unknown options are skipped.
 *
 * <p>What libslirp (src/dhcpv6.c) does, for the engine to match or improve on: it answers only
 * Information-Request, with a Reply echoing the Client Identifier and carrying DNS Recursive Name Server (23) only
 * when the Option Request lists it; it sends no Server Identifier (RFC 8415 18.3.6 requires one), drops requests
 * carrying a top-level IA Address option (5; its comment means "an IA option", which {@link #hasIa()} tells),
 * stops reading options 4 bytes before the end (a trailing empty option such as Rapid Commit is missed), and
 * ignores Solicit entirely, so a client trying stateful DHCPv6 retransmits forever. The engine is
 * {@code dhcpv6/Dhcpv6Server}.
 * The writers here cover a conforming Reply ({@link #emitReply}) and the Advertise with status NoAddrsAvail that
 * RFC 8415 18.3.9 prescribes for a Solicit when no address will be assigned ({@link #emitNoAddrsAvail}).
 */
public final class Dhcpv6Message extends HeaderView {
    public static final int HEADER_LENGTH = 4;
    public static final int OPTION_HEADER_LENGTH = 4;
    public static final int CLIENT_PORT = 546;
    public static final int SERVER_PORT = 547;

    public static final int SOLICIT = 1;
    public static final int ADVERTISE = 2;
    public static final int REQUEST = 3;
    public static final int CONFIRM = 4;
    public static final int RENEW = 5;
    public static final int REBIND = 6;
    public static final int REPLY = 7;
    public static final int RELEASE = 8;
    public static final int DECLINE = 9;
    public static final int RECONFIGURE = 10;
    public static final int INFORMATION_REQUEST = 11;
    public static final int RELAY_FORWARD = 12;
    public static final int RELAY_REPLY = 13;

    public static final int OPTION_CLIENT_ID = 1;
    public static final int OPTION_SERVER_ID = 2;
    public static final int OPTION_IA_NA = 3;
    public static final int OPTION_IA_TA = 4;
    public static final int OPTION_IA_ADDRESS = 5;
    public static final int OPTION_ORO = 6;
    public static final int OPTION_ELAPSED_TIME = 8;
    public static final int OPTION_STATUS_CODE = 13;
    public static final int OPTION_RAPID_COMMIT = 14;
    /** RFC 3646 3. */
    public static final int OPTION_DNS_SERVERS = 23;
    /** RFC 3646 4. */
    public static final int OPTION_DOMAIN_LIST = 24;
    public static final int OPTION_IA_PD = 25;

    public static final int STATUS_SUCCESS = 0;
    public static final int STATUS_UNSPECIFIED_FAILURE = 1;
    public static final int STATUS_NO_ADDRESSES_AVAILABLE = 2;
    public static final int STATUS_NO_BINDING = 3;
    public static final int STATUS_NOT_ON_LINK = 4;
    public static final int STATUS_USE_MULTICAST = 5;

    /** DUID-LL (RFC 8415 11.4): type 3, hardware type, link-layer address. */
    public static final int DUID_LL = 3;
    public static final int HARDWARE_TYPE_ETHERNET = 1;
    /** 2-byte type plus 6-byte MAC plus 2-byte hardware type. */
    public static final int DUID_LL_ETHERNET_LENGTH = 10;
    /** A DUID's type code plus 1..128 bytes (RFC 8415 11.1). */
    public static final int MIN_DUID_LENGTH = 3;
    public static final int MAX_DUID_LENGTH = 130;
    /** IAID, T1, T2 of IA_NA and IA_PD; IA_TA has only the IAID. */
    private static final int IA_NA_FIXED_LENGTH = 12;
    private static final int IA_TA_FIXED_LENGTH = 4;

    private int clientId;
    private int serverId;
    private int oro;
    private int elapsedTime;
    private int iaNa;
    private boolean iaTa;
    private boolean iaPd;
    private boolean rapidCommit;

    /** Validates a client or server message and its options; relay messages are UNSUPPORTED. */
    public ParseResult wrap(ByteBuf buf, int offset, int length) {
        this.clientId = -1;
        this.serverId = -1;
        this.oro = -1;
        this.elapsedTime = -1;
        this.iaNa = -1;
        this.iaTa = false;
        this.iaPd = false;
        this.rapidCommit = false;
        if (!bind(buf, offset, length, HEADER_LENGTH)) {
            return ParseResult.TRUNCATED;
        }
        int type = buf.getUnsignedByte(offset);
        if (type == 0 || type >= RELAY_FORWARD) {
            return ParseResult.UNSUPPORTED;
        }
        int end = offset + length;
        for (int at = offset + HEADER_LENGTH; at < end; ) {
            if (end - at < OPTION_HEADER_LENGTH) {
                return ParseResult.BAD_LENGTH;
            }
            int code = buf.getUnsignedShort(at);
            int len = buf.getUnsignedShort(at + 2);
            if (len > end - at - OPTION_HEADER_LENGTH) {
                return ParseResult.BAD_LENGTH;
            }
            if (!remember(code, at, len)) {
                return ParseResult.BAD_LENGTH;
            }
            at += OPTION_HEADER_LENGTH + len;
        }
        this.length = length;
        return ParseResult.OK;
    }

    /** Notes where an option the server uses is (the first of each code); false when its length is wrong for it. */
    private boolean remember(int code, int at, int len) {
        switch (code) {
            case OPTION_CLIENT_ID:
                if (len < MIN_DUID_LENGTH || len > MAX_DUID_LENGTH) {
                    return false;
                }
                clientId = clientId < 0 ? at : clientId;
                return true;
            case OPTION_SERVER_ID:
                if (len < MIN_DUID_LENGTH || len > MAX_DUID_LENGTH) {
                    return false;
                }
                serverId = serverId < 0 ? at : serverId;
                return true;
            case OPTION_ORO:
                if (len % 2 != 0) {
                    return false;
                }
                oro = oro < 0 ? at : oro;
                return true;
            case OPTION_ELAPSED_TIME:
                if (len != 2) {
                    return false;
                }
                elapsedTime = elapsedTime < 0 ? buf.getUnsignedShort(at + OPTION_HEADER_LENGTH) : elapsedTime;
                return true;
            case OPTION_IA_NA:
                if (len < IA_NA_FIXED_LENGTH) {
                    return false;
                }
                iaNa = iaNa < 0 ? at : iaNa;
                return true;
            case OPTION_IA_TA:
                iaTa = true;
                return len >= IA_TA_FIXED_LENGTH;
            case OPTION_IA_PD:
                iaPd = true;
                return len >= IA_NA_FIXED_LENGTH;
            case OPTION_RAPID_COMMIT:
                rapidCommit = true;
                return len == 0;
            default:
                return true;
        }
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public int messageType() {
        return buf.getUnsignedByte(offset);
    }

    /** The 24-bit transaction id. */
    public int transactionId() {
        return buf.getMedium(offset + 1) & 0xFF_FFFF;
    }

    public boolean hasClientId() {
        return clientId >= 0;
    }

    /** Absolute offset of the client's DUID (the option's value), or -1. */
    public int clientIdOffset() {
        return clientId < 0 ? -1 : clientId + OPTION_HEADER_LENGTH;
    }

    /** Length of the client's DUID, or 0. */
    public int clientIdLength() {
        return clientId < 0 ? 0 : buf.getUnsignedShort(clientId + 2);
    }

    public boolean hasServerId() {
        return serverId >= 0;
    }

    /** True when the Server Identifier option holds the DUID-LL {@link #writeServerId} makes from {@code mac}. */
    public boolean serverIdIs(long mac) {
        return serverId >= 0 && buf.getUnsignedShort(serverId + 2) == DUID_LL_ETHERNET_LENGTH
            && buf.getUnsignedShort(serverId + 4) == DUID_LL
            && buf.getUnsignedShort(serverId + 6) == HARDWARE_TYPE_ETHERNET
            && MacAddress.read(buf, serverId + 8) == mac;
    }

    /** True when the Option Request option lists {@code option}. */
    public boolean requests(int option) {
        if (oro < 0) {
            return false;
        }
        int end = oro + OPTION_HEADER_LENGTH + buf.getUnsignedShort(oro + 2);
        for (int at = oro + OPTION_HEADER_LENGTH; at < end; at += 2) {
            if (buf.getUnsignedShort(at) == option) {
                return true;
            }
        }
        return false;
    }

    /** Elapsed time in hundredths of a second, or -1 when absent. */
    public int elapsedTime() {
        return elapsedTime;
    }

    public boolean hasIaNa() {
        return iaNa >= 0;
    }

    /** The first IA_NA's IAID (0 without one). */
    public int iaNaIaid() {
        return iaNa < 0 ? 0 : buf.getInt(iaNa + OPTION_HEADER_LENGTH);
    }

    /** True when any identity association (IA_NA, IA_TA, IA_PD) is present, which an Information-Request may not carry. */
    public boolean hasIa() {
        return iaNa >= 0 || iaTa || iaPd;
    }

    public boolean rapidCommit() {
        return rapidCommit;
    }

    /** Writes the 4-byte message header at {@code at}; returns where the options go. */
    public static int emitHeader(ByteBuf buf, int at, int messageType, int transactionId) {
        buf.setInt(at, messageType << 24 | (transactionId & 0xFF_FFFF));
        return at + HEADER_LENGTH;
    }

    /** Writes a Server Identifier option holding the DUID-LL of {@code mac}; returns its end. */
    public static int writeServerId(ByteBuf buf, int at, long mac) {
        buf.setShort(at, OPTION_SERVER_ID);
        buf.setShort(at + 2, DUID_LL_ETHERNET_LENGTH);
        buf.setShort(at + 4, DUID_LL);
        buf.setShort(at + 6, HARDWARE_TYPE_ETHERNET);
        MacAddress.write(buf, at + 8, mac);
        return at + OPTION_HEADER_LENGTH + DUID_LL_ETHERNET_LENGTH;
    }

    /** Copies this message's Client Identifier option to {@code out} at {@code at}; returns its end ({@code at} if none). */
    public int writeClientId(ByteBuf out, int at) {
        if (clientId < 0) {
            return at;
        }
        int optionLength = OPTION_HEADER_LENGTH + clientIdLength();
        out.setBytes(at, buf, clientId, optionLength);
        return at + optionLength;
    }

    /** Writes a DNS Recursive Name Server option with one server; returns its end. */
    public static int writeDnsServers(ByteBuf buf, int at, long serverHi, long serverLo) {
        buf.setShort(at, OPTION_DNS_SERVERS);
        buf.setShort(at + 2, 16);
        Ipv6Address.write(buf, at + OPTION_HEADER_LENGTH, serverHi, serverLo);
        return at + OPTION_HEADER_LENGTH + 16;
    }

    /** Writes a DNS Recursive Name Server option with the first {@code count} servers of the arrays; returns its end. */
    public static int writeDnsServers(ByteBuf buf, int at, long[] serversHi, long[] serversLo, int count) {
        buf.setShort(at, OPTION_DNS_SERVERS);
        buf.setShort(at + 2, 16 * count);
        for (int i = 0; i < count; i++) {
            Ipv6Address.write(buf, at + OPTION_HEADER_LENGTH + 16 * i, serversHi[i], serversLo[i]);
        }
        return at + OPTION_HEADER_LENGTH + 16 * count;
    }

    /** Writes a Domain Search List option from {@link #encodeDomainList} output; returns its end. */
    public static int writeDomainList(ByteBuf buf, int at, byte[] encoded) {
        buf.setShort(at, OPTION_DOMAIN_LIST);
        buf.setShort(at + 2, encoded.length);
        buf.setBytes(at + OPTION_HEADER_LENGTH, encoded);
        return at + OPTION_HEADER_LENGTH + encoded.length;
    }

    /**
     * Writes a Status Code option; {@code message} (for humans, may be empty) must be ASCII, so it is written
     * without an encoder. Returns its end.
     */
    public static int writeStatusCode(ByteBuf buf, int at, int status, String message) {
        int n = message.length();
        buf.setShort(at, OPTION_STATUS_CODE);
        buf.setShort(at + 2, 2 + n);
        buf.setShort(at + 4, status);
        for (int i = 0; i < n; i++) {
            char c = message.charAt(i);
            if (c > 0x7F) {
                throw new IllegalArgumentException("status message is not ASCII: " + message);
            }
            buf.setByte(at + 6 + i, c);
        }
        return at + 6 + n;
    }

    /**
     * Encodes domain names as a DHCPv6 domain list (RFC 8415 10: DNS wire format without compression), once at
     * configuration time. A trailing dot is allowed; empty labels, labels over 63 bytes, names over 255 bytes
     * and non-ASCII names are refused.
     */
    public static byte[] encodeDomainList(String... domains) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String domain : domains) {
            String name = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
            int start = out.size();
            if (!name.isEmpty()) {
                for (String label : name.split("\\.", -1)) {
                    if (label.isEmpty() || label.length() > 63
                        || !StandardCharsets.US_ASCII.newEncoder().canEncode(label)) {
                        throw new IllegalArgumentException("not a domain name: " + domain);
                    }
                    byte[] b = label.getBytes(StandardCharsets.US_ASCII);
                    out.write(b.length);
                    out.write(b, 0, b.length);
                }
            }
            out.write(0);
            if (out.size() - start > 255) {
                throw new IllegalArgumentException("domain name too long: " + domain);
            }
        }
        return out.toByteArray();
    }

    /**
     * Writes a Reply (or an Advertise, as {@code messageType} says) to this message at {@code at}: same transaction
     * id, Server Identifier from {@code serverMac}, this message's Client Identifier, the first {@code dnsCount}
     * DNS servers (no option when 0) and the encoded domain list (no option when null or empty). Returns the
     * length written.
     */
    public int emitReply(ByteBuf out, int at, int messageType, long serverMac, long[] dnsHi, long[] dnsLo,
        int dnsCount, byte[] domainList) {
        int end = emitHeader(out, at, messageType, transactionId());
        end = writeServerId(out, end, serverMac);
        end = writeClientId(out, end);
        if (dnsCount > 0) {
            end = writeDnsServers(out, end, dnsHi, dnsLo, dnsCount);
        }
        if (domainList != null && domainList.length > 0) {
            end = writeDomainList(out, end, domainList);
        }
        return end - at;
    }

    /**
     * Writes the Advertise RFC 8415 18.3.9 prescribes for a Solicit when no address will be assigned: Server and
     * Client Identifiers and a top-level Status Code NoAddrsAvail, no IA option. Returns the length written.
     */
    public int emitNoAddrsAvail(ByteBuf out, int at, long serverMac) {
        int end = emitHeader(out, at, ADVERTISE, transactionId());
        end = writeServerId(out, end, serverMac);
        end = writeClientId(out, end);
        end = writeStatusCode(out, end, STATUS_NO_ADDRESSES_AVAILABLE, "no addresses: use SLAAC");
        return end - at;
    }
}
