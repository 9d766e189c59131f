import { type BlockWithCommit, type GossipTopic, MAX_BLOCKS_PER_REQUEST, type NodeNetwork, type PeerStatus, type Verdict } from './network.js';

/**
 * Nodes in one process joined by a hub: gossip reaches every other joined node (after a
 * `delayMs` turn of the event loop, as over a socket), block requests go to the other nodes
 * in turn until one answers, snapshot requests to the peer named. Links can be cut and restored, to partition the nodes. Messages
 * are copied, so no node shares bytes with another.
 */
export interface MemoryHub {
  join(id: string): NodeNetwork;
  /** Cuts every link between the two groups (both ways). */
  partition(a: readonly string[], b: readonly string[]): void;
  /** Restores every link. */
  heal(): void;
  /** Drops a node from the hub (as if its process were gone). */
  leave(id: string): void;
  /** How often each node's verdicts were 'reject', by the sending node. */
  rejections(): ReadonlyMap<string, number>;
  /** How often a node was penalised for an answer it gave (`NodeNetwork.penalise`), by that node. */
  penalties(): ReadonlyMap<string, number>;
}

export function createMemoryHub(options: { readonly delayMs?: number } = {}): MemoryHub {
  const delayMs = options.delayMs ?? 0;
  interface HubMember {
    readonly handlers: Map<GossipTopic, Set<(bytes: Uint8Array, from: string) => Verdict | Promise<Verdict>>>;
    serve?: (from: number, to: number) => Promise<BlockWithCommit[]>;
    status?: () => { readonly height: number; readonly hash: string };
    snapshots?: (request: Uint8Array, from: string) => Promise<Uint8Array>;
  }
  const members = new Map<string, HubMember>();
  const cut = new Set<string>();
  const rejected = new Map<string, number>();
  const penalised = new Map<string, number>();
  const linked = (a: string, b: string) => !cut.has(`${a}|${b}`);

  return {
    join(id) {
      const member: HubMember = { handlers: new Map() };
      members.set(id, member);
      return {
        self: id,
        publish(topic, bytes) {
          for (const [other, peer] of members) {
            if (other === id || !linked(id, other)) continue;
            for (const handler of peer.handlers.get(topic) ?? []) {
              const copy = Uint8Array.from(bytes);
              setTimeout(() => {
                if (!members.has(other) || !members.has(id) || !linked(id, other)) return;
                void Promise.resolve(handler(copy, id)).then((verdict) => {
                  if (verdict === 'reject') rejected.set(id, (rejected.get(id) ?? 0) + 1);
                });
              }, delayMs);
            }
          }
        },
        subscribe(topic, handler) {
          let set = member.handlers.get(topic);
          if (!set) {
            set = new Set();
            member.handlers.set(topic, set);
          }
          set.add(handler);
          return () => set.delete(handler);
        },
        async requestBlocks(from, to) {
          const last = Math.min(to, from + MAX_BLOCKS_PER_REQUEST - 1);
          for (const [other, peer] of members) {
            if (other === id || !linked(id, other) || !peer.serve) continue;
            const blocks = await peer.serve(from, last);
            if (blocks.length > 0) return blocks.map((b) => ({ block: Uint8Array.from(b.block), commit: Uint8Array.from(b.commit) }));
          }
          return [];
        },
        serveBlocks(handler) {
          member.serve = handler;
        },
        async requestStatuses() {
          const out: PeerStatus[] = [];
          for (const [other, peer] of members) {
            if (other === id || !linked(id, other) || !peer.status) continue;
            out.push({ peer: other, ...peer.status() });
          }
          return out;
        },
        serveStatus(handler) {
          member.status = handler;
        },
        async requestSnapshot(peer, request) {
          const other = members.get(peer);
          if (!other || !linked(id, peer) || !other.snapshots) throw new Error(`peer ${peer} serves no snapshots`);
          return Uint8Array.from(await other.snapshots(Uint8Array.from(request), id));
        },
        serveSnapshots(handler) {
          member.snapshots = handler;
        },
        penalise(peer) {
          penalised.set(peer, (penalised.get(peer) ?? 0) + 1);
        },
        peers() {
          return [...members.keys()].filter((other) => other !== id && linked(id, other));
        },
      };
    },
    partition(a, b) {
      for (const x of a) for (const y of b) {
        cut.add(`${x}|${y}`);
        cut.add(`${y}|${x}`);
      }
    },
    heal() {
      cut.clear();
    },
    leave(id) {
      members.delete(id);
    },
    rejections() {
      return rejected;
    },
    penalties() {
      return penalised;
    },
  };
}
