package io.slirp4j.stack;

import java.net.InetSocketAddress;
import java.util.List;

public final class FakeNameservers implements Nameservers {
    private List<InetSocketAddress> servers;

    public FakeNameservers(List<InetSocketAddress> servers) {
        this.servers = List.copyOf(servers);
    }

    public void set(List<InetSocketAddress> servers) {
        this.servers = List.copyOf(servers);
    }

    @Override
    public List<InetSocketAddress> current() {
        return servers;
    }
}
