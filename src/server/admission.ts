/**
 * How many requests the server works on at once, and how much request body it holds. A request
 * takes a slot only once its body is in, so a slow upload holds a socket (until the body time-out)
 * and never a slot; one connection works on one request at a time, so pipelined requests wait
 * their turn instead of taking every slot; bodies being read share a byte budget, so many large
 * uploads at once are refused before memory runs out.
 */
import type { Socket } from 'node:net';
import { ClickHouseServerError } from './server-error.js';

export class Admission {
  private running = 0;
  private buffered = 0;
  private readonly turns = new WeakMap<Socket, Promise<void>>();

  constructor(
    private readonly maxConcurrentQueries: number,
    private readonly maxBufferedBodyBytes: number,
  ) {}

  /** Runs `work` after the requests before it on the same connection have been answered. */
  async inTurn<T>(socket: Socket, work: () => Promise<T>): Promise<T> {
    const previous = this.turns.get(socket) ?? Promise.resolve();
    const done = previous.then(work);
    const turn = done.then(
      () => undefined,
      () => undefined,
    );
    this.turns.set(socket, turn);
    return done;
  }

  /** Runs `work` in a slot, or refuses with TOO_MANY_SIMULTANEOUS_QUERIES as a server at max_concurrent_queries does. */
  async inSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxConcurrentQueries) {
      throw new ClickHouseServerError(
        'TOO_MANY_SIMULTANEOUS_QUERIES',
        `Too many simultaneous queries. Maximum: ${this.maxConcurrentQueries}`,
      );
    }
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
    }
  }

  /** A share of the body budget, taken chunk by chunk as a body arrives and given back once the request is answered. */
  bodyShare(): BodyShare {
    let held = 0;
    return {
      take: (bytes) => {
        if (this.buffered + bytes > this.maxBufferedBodyBytes) {
          throw new ClickHouseServerError(
            'MEMORY_LIMIT_EXCEEDED',
            `The server already holds ${this.buffered} bytes of request bodies (limit ${this.maxBufferedBodyBytes}); retry later`,
          );
        }
        this.buffered += bytes;
        held += bytes;
      },
      release: () => {
        this.buffered -= held;
        held = 0;
      },
    };
  }
}

export interface BodyShare {
  take(bytes: number): void;
  release(): void;
}
