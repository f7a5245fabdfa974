/**
 * A bounded memory of ids: the newest `capacity` are kept. The ids are also queued in a ring, oldest
 * first, so the one to forget is found at once: asking the Set for its first id walks past every slot its
 * deletions left at the front of its table, until the table is rebuilt.
 */
export class RecentIds {
  private readonly ids = new Set<string>();
  /** The ids of `ids` in the order they were added: `count` of them from `head`, wrapping around. */
  private readonly queue: string[];
  private head = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    this.queue = new Array<string>(Math.max(1, capacity)).fill("");
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  remember(id: string): void {
    if (this.count >= this.capacity) this.forgetOldest();
    if (this.ids.has(id)) return;
    this.ids.add(id);
    this.queue[(this.head + this.count) % this.queue.length] = id;
    this.count++;
  }

  private forgetOldest(): void {
    if (this.count === 0) return;
    const oldest = this.queue[this.head] as string;
    this.head = (this.head + 1) % this.queue.length;
    this.count--;
    this.ids.delete(oldest);
  }
}
