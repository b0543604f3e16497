package dev.descent.distributed.spi;

import dev.descent.core.Device;
import java.net.InetAddress;
import java.time.Duration;

/**
 * What a backend needs to join a group.
 *
 * @param rank this process, from 0
 * @param worldSize the processes in the group
 * @param device the device whose tensors the group exchanges
 * @param timeout how long connecting may take
 * @param store the rendezvous store, its keys private to this group
 * @param localAddress an address of this machine that the other ranks can reach (the one it
 *     reaches the rendezvous from): where a library that opens its own connections listens
 */
public record Membership(int rank, int worldSize, Device device, Duration timeout, KeyValueStore store,
        InetAddress localAddress) {
}
