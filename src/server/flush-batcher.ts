// Flushes each connection's queued replies once per event-loop turn (setImmediate), after every readable
// socket of that turn was handled: replies caused by several peers' packets leave in one write per connection.

export interface Flushable {
  flush(): void;
}

export class FlushBatcher {
  private pending: Flushable[] = [];
  private scheduled = false;
  private readonly run = (): void => {
    this.scheduled = false;
    const list = this.pending;
    this.pending = [];
    for (let i = 0; i < list.length; i++) list[i]!.flush();
  };

  add(target: Flushable): void {
    this.pending.push(target);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }
}
