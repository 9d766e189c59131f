import './polyfill.js';
import { createHash } from 'node:crypto';
import { type GossipSub, type GossipsubOpts, type Message, StrictSign, TopicValidatorResult } from '@libp2p/gossipsub';
import {
  createTopicScoreParams,
  defaultPeerScoreThresholds,
  type PeerScoreParams,
  type TopicScoreParams,
} from '@libp2p/gossipsub/score';
import { GossipPublishError } from './errors.js';
import {
  GOSSIP_KINDS,
  type GossipCounters,
  type GossipDeliver,
  type GossipKind,
  type GossipMessage,
  type GossipValidator,
  type GossipVerdict,
  type P2pLogger,
  type PublishResult,
} from './host-api.js';
import type { PeerPenalties } from './penalties.js';

/**
 * A chain's two gossip topics on top of gossipsub.
 *
 * - Topics are `lendnet/<chainId>/txs/1` and `lendnet/<chainId>/consensus/1`: hosts of another
 *   chain never subscribe to ours, so they neither receive nor relay our messages.
 * - Messages are signed by their author (StrictSign); gossipsub drops unsigned or badly signed
 *   ones before anything here sees them.
 * - A message's id is a hash of its topic and bytes, not of author and sequence number, so
 *   identical bytes are one message: delivered once, whoever publishes or replays them, for as
 *   long as gossipsub remembers seen ids (`seenTTL`, 2 minutes by default).
 * - Each message goes through the kind's validator before gossipsub relays it (gossipsub's
 *   topic validators: relaying waits for the verdict). Only accepted messages are delivered.
 * - A rejected message is a strike against the peer that sent it (penalties.ts) and lowers its
 *   gossipsub score (P4, invalid deliveries). The P4 weight is chosen so that the score stays
 *   above the graylist threshold until the strikes reach the ban threshold: gossipsub would
 *   otherwise start ignoring the peer's messages before the host had counted enough to ban it.
 */

/** The id of a gossip message: SHA-256 over the topic, a zero byte and the payload. */
export function messageId(message: Message): Uint8Array {
  return createHash('sha256').update(message.topic).update(new Uint8Array(1)).update(message.data).digest();
}

export function topicOf(chainId: string, kind: GossipKind): string {
  return `lendnet/${chainId}/${kind}/1`;
}

/**
 * Score parameters for a chain's topics. Mesh delivery-rate penalties (P3, P3b) are off: a
 * quiet chain has few messages, and a peer is not at fault for that. IP colocation is off: the
 * network is permissioned, and operators may run several nodes behind one address.
 */
export function scoreParams(chainId: string, rejectThreshold: number): Partial<PeerScoreParams> {
  // Strikes spread over both topics add up to a score no lower than if they were on one.
  const invalidWeight = defaultPeerScoreThresholds.graylistThreshold / (rejectThreshold + 1) ** 2;
  const topicParams: TopicScoreParams = createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: invalidWeight,
    invalidMessageDeliveriesDecay: 0.95,
  });
  const topics: Record<string, TopicScoreParams> = {};
  for (const kind of GOSSIP_KINDS) topics[topicOf(chainId, kind)] = topicParams;
  return { topics, IPColocationFactorWeight: 0 };
}

/** gossipsub's options for a chain. */
export function gossipsubOptions(
  chainId: string,
  rejectThreshold: number,
  maxMessageBytes: Readonly<Record<GossipKind, number>>,
): Partial<GossipsubOpts> {
  const largest = Math.max(...GOSSIP_KINDS.map((kind) => maxMessageBytes[kind]));
  return {
    globalSignaturePolicy: StrictSign,
    msgIdFn: messageId,
    emitSelf: false,
    fallbackToFloodsub: false,
    // A node alone (or ahead of its peers) still publishes; the consumer sees `recipients: 0`.
    allowPublishToZeroTopicPeers: true,
    allowedTopics: GOSSIP_KINDS.map((kind) => topicOf(chainId, kind)),
    scoreParams: scoreParams(chainId, rejectThreshold),
    // One RPC frame may carry several messages (answers to IWANT), so the frame limit is
    // generous; each message is held to its kind's limit by the validator.
    maxInboundDataLength: Math.max(4 << 20, largest * 4 + (64 << 10)),
  };
}

/** gossipsub methods its exported interface leaves out but its implementation has. */
interface GossipSubInspection {
  getMeshPeers(topic: string): string[];
  getScore(peerId: string): number;
}

function canInspect(pubsub: GossipSub): pubsub is GossipSub & GossipSubInspection {
  return (
    'getMeshPeers' in pubsub &&
    typeof pubsub.getMeshPeers === 'function' &&
    'getScore' in pubsub &&
    typeof pubsub.getScore === 'function'
  );
}

export interface ChainGossipInit {
  readonly pubsub: GossipSub;
  readonly chainId: string;
  readonly maxMessageBytes: Readonly<Record<GossipKind, number>>;
  readonly penalties: PeerPenalties;
  /** Called when a strike bans a peer; the host hangs up on it. */
  readonly onBan: (peerId: string) => void;
  readonly logger?: P2pLogger | undefined;
}

interface Subscription {
  readonly validator: GossipValidator;
  readonly deliver: GossipDeliver | undefined;
}

const VERDICTS: Readonly<Record<GossipVerdict, TopicValidatorResult>> = {
  accept: TopicValidatorResult.Accept,
  reject: TopicValidatorResult.Reject,
  ignore: TopicValidatorResult.Ignore,
};

function emptyCounters(): GossipCounters {
  return { messagesIn: 0, messagesOut: 0, rejected: 0, ignored: 0, bytesIn: 0, bytesOut: 0 };
}

/** The chain's gossip: validation, delivery, publishing and counters. */
export class ChainGossip {
  readonly counters: Record<GossipKind, GossipCounters> = { txs: emptyCounters(), consensus: emptyCounters() };
  private readonly subscriptions = new Map<GossipKind, Subscription>();
  private readonly kindOfTopic = new Map<string, GossipKind>();
  private started = false;

  constructor(private readonly init: ChainGossipInit) {
    for (const kind of GOSSIP_KINDS) {
      const topic = topicOf(init.chainId, kind);
      this.kindOfTopic.set(topic, kind);
      init.pubsub.topicValidators.set(topic, (peer, message) => this.validate(kind, peer.toString(), message));
    }
    init.pubsub.addEventListener('gossipsub:message', (event) => {
      const { propagationSource, msg } = event.detail;
      const kind = this.kindOfTopic.get(msg.topic);
      const subscription = kind === undefined ? undefined : this.subscriptions.get(kind);
      if (kind === undefined || subscription?.deliver === undefined) return;
      try {
        subscription.deliver(toGossipMessage(kind, propagationSource.toString(), msg));
      } catch (error) {
        init.logger?.warn({ err: error, kind }, 'p2p: gossip consumer threw on delivery');
      }
    });
  }

  topic(kind: GossipKind): string {
    return topicOf(this.init.chainId, kind);
  }

  /** Subscribes to the topics that have a validator (gossipsub must be started). */
  start(): void {
    this.started = true;
    for (const kind of this.subscriptions.keys()) this.init.pubsub.subscribe(this.topic(kind));
  }

  stop(): void {
    this.started = false;
  }

  onMessage(kind: GossipKind, validator: GossipValidator, deliver?: GossipDeliver): void {
    this.subscriptions.set(kind, { validator, deliver });
    if (this.started) this.init.pubsub.subscribe(this.topic(kind));
  }

  async publish(kind: GossipKind, data: Uint8Array): Promise<PublishResult> {
    const topic = this.topic(kind);
    if (data.length > this.init.maxMessageBytes[kind]) throw new GossipPublishError('MESSAGE_TOO_LARGE', topic);
    let recipients: number;
    try {
      recipients = (await this.init.pubsub.publish(topic, data)).recipients.length;
    } catch (error) {
      // gossipsub reports a message id it has already seen with this plain error.
      if (error instanceof Error && error.message === 'PublishError.Duplicate') return { recipients: 0, duplicate: true };
      throw new GossipPublishError('PUBLISH_FAILED', topic, { cause: error });
    }
    const counters = this.counters[kind];
    counters.messagesOut += 1;
    counters.bytesOut += data.length;
    return { recipients, duplicate: false };
  }

  meshPeers(kind: GossipKind): string[] {
    return canInspect(this.init.pubsub) ? this.init.pubsub.getMeshPeers(this.topic(kind)) : [];
  }

  subscribers(kind: GossipKind): string[] {
    return this.init.pubsub.getSubscribers(this.topic(kind)).map((peerId) => peerId.toString());
  }

  /** The peer's gossipsub score; 0 when gossipsub does not say. */
  score(peerId: string): number {
    return canInspect(this.init.pubsub) ? this.init.pubsub.getScore(peerId) : 0;
  }

  private async validate(kind: GossipKind, from: string, message: Message): Promise<TopicValidatorResult> {
    const verdict = await this.verdict(kind, from, message);
    const counters = this.counters[kind];
    if (verdict === 'accept') {
      counters.messagesIn += 1;
      counters.bytesIn += message.data.length;
    } else if (verdict === 'ignore') {
      counters.ignored += 1;
    } else {
      counters.rejected += 1;
      if (this.init.penalties.strike(from)) this.init.onBan(from);
    }
    return VERDICTS[verdict];
  }

  private async verdict(kind: GossipKind, from: string, message: Message): Promise<GossipVerdict> {
    // A banned peer's messages that were in flight when we hung up on it are not judged.
    if (this.init.penalties.isBanned(from)) return 'ignore';
    // An honest peer validates before relaying, so it never sends an oversized payload.
    if (message.data.length > this.init.maxMessageBytes[kind]) return 'reject';
    const subscription = this.subscriptions.get(kind);
    if (subscription === undefined) return 'ignore';
    let verdict: GossipVerdict;
    try {
      verdict = await subscription.validator(message.data, from, toGossipMessage(kind, from, message));
    } catch (error) {
      // The consumer's failure is not the peer's fault.
      this.init.logger?.warn({ err: error, kind, from }, 'p2p: gossip validator threw; message ignored');
      return 'ignore';
    }
    if (Object.hasOwn(VERDICTS, verdict)) return verdict;
    this.init.logger?.warn({ kind, verdict: String(verdict) }, 'p2p: gossip validator gave no verdict; message ignored');
    return 'ignore';
  }
}

function toGossipMessage(kind: GossipKind, from: string, message: Message): GossipMessage {
  const origin = message.type === 'signed' ? message.from.toString() : from;
  return { kind, data: message.data, from, origin };
}
