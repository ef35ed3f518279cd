// Waiting on conditions with deadlines. Tests never sleep for a fixed time: they wait
// until something observable happens and fail with a description when it does not.

/** Default deadline for one expected event on loopback. Generous, because CI machines stall. */
export const DEFAULT_TIMEOUT_MS = 3000;

/**
 * Resolves with `promise`, or rejects after `ms` with an error naming `what`.
 * The timer never keeps the process alive on its own.
 */
export function withDeadline(promise, ms, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * An append-only list of received items that tests can wait on.
 *
 * `items` holds everything in arrival order. `next()` reads it as a queue (each item once,
 * in order); `waitFor()` and `waitCount()` look at the whole list and do not move the cursor.
 */
export class Mailbox {
  constructor(name = 'mailbox') {
    this.name = name;
    this.items = [];
    this.cursor = 0;
    this.waiters = new Set();
    this.closedWith = null;
  }

  push(item) {
    this.items.push(item);
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Wakes every waiter so that it can fail fast, e.g. when the underlying socket closed. */
  close(reason) {
    this.closedWith = reason;
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Waits until `check()` returns something other than undefined and resolves with it. */
  until(check, { timeout = DEFAULT_TIMEOUT_MS, what = 'a condition' } = {}) {
    const attempt = () => {
      const found = check();
      if (found !== undefined) return { found };
      if (this.closedWith !== null) {
        return { error: new Error(`${this.name} closed (${this.closedWith}) while waiting for ${what}`) };
      }
      return null;
    };
    const first = attempt();
    if (first) return first.error ? Promise.reject(first.error) : Promise.resolve(first.found);
    let waiter;
    const settled = new Promise((resolve, reject) => {
      waiter = () => {
        const result = attempt();
        if (!result) return;
        this.waiters.delete(waiter);
        if (result.error) reject(result.error);
        else resolve(result.found);
      };
      this.waiters.add(waiter);
    });
    return withDeadline(settled, timeout, `${what} on ${this.name}`).finally(() =>
      this.waiters.delete(waiter),
    );
  }

  /** The next unread item, in arrival order. */
  next({ timeout, what = 'the next item' } = {}) {
    return this.until(
      () => (this.cursor < this.items.length ? this.items[this.cursor++] : undefined),
      { timeout, what },
    );
  }

  /** The first item (read or not) for which `predicate` holds. */
  waitFor(predicate, { timeout, what = 'a matching item' } = {}) {
    return this.until(() => this.items.find(predicate), { timeout, what });
  }

  /** Resolves with the items matching `predicate` once there are at least `count` of them. */
  waitCount(count, predicate = () => true, { timeout, what } = {}) {
    return this.until(
      () => {
        const matching = this.items.filter(predicate);
        return matching.length >= count ? matching : undefined;
      },
      { timeout, what: what ?? `${count} matching items` },
    );
  }

  /** Unread items, marking them read. */
  takeUnread() {
    const unread = this.items.slice(this.cursor);
    this.cursor = this.items.length;
    return unread;
  }
}

/**
 * Polls `condition` (sync or async) until it returns true, every `interval` ms; rejects after
 * `timeout` ms naming `what`. For state only observable by asking (e.g. a gauge in /metrics).
 */
export async function waitUntil(condition, { timeout = DEFAULT_TIMEOUT_MS, interval = 100, what = 'a condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
