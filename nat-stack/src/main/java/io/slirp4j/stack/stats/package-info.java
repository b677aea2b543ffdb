/**
 * The stack's counters, one group per protocol (plus {@link io.slirp4j.stack.stats.FrameCounters} for frames and
 * drops at any layer and {@link io.slirp4j.stack.stats.ErrorCounters} for failures on slirp4j's side). Each group
 * is a mutable class with plain public fields, confined to the stack's event loop like everything else, and
 * carries its own immutable {@code Snapshot} record; {@link io.slirp4j.stack.StackStats} composes the snapshots.
 * A new counter touches its group only: the field, the snapshot component, and the copy in {@code snapshot()}.
 */
package io.slirp4j.stack.stats;
