/**
 * Runs one attack in a worker thread: the attacker's sockets and timers get an event loop of
 * their own, so the honest clients' latencies, measured on the main thread, are the server's
 * and not the attacker's (the two still share the machine's cores, as they would).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type Attacker, type AttackFigure, type AttackScale, attacks } from './attacks.ts';
import { newTally, type PhaseSlot } from './honest-load.ts';

export interface AttackOrder {
  name: string;
  attacker: Attacker;
  scale: AttackScale;
  phaseMs: number;
}

export interface AttackReport {
  figure: AttackFigure;
  /** 5xx answers the attacker got. */
  serverErrors: number;
}

const order = workerData as AttackOrder;
const attack = attacks(order.scale).find((candidate) => candidate.name === order.name);
if (!attack) throw new Error(`no attack named ${order.name}`);
const slot: PhaseSlot = { current: newTally(), running: true };
const until = new Promise<void>((resolve) => setTimeout(resolve, order.phaseMs));
const figure = await attack.run(order.attacker, slot, until);
parentPort!.postMessage({ figure, serverErrors: slot.current.serverErrors } satisfies AttackReport);
