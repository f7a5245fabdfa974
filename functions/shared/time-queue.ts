/** What a TimeQueue orders by: the due time, then the order the item was first queued in. */
export interface Timed {
  readonly at: number;
  readonly order: number;
}

const before = (at: number, order: number, otherAt: number, otherOrder: number) =>
  at < otherAt || (at === otherAt && order < otherOrder);

/**
 * Items by due time, then by `order`: MinHeap with that comparison, step for step, with the keys also
 * kept in typed arrays beside the items. A large queue of timers spends its time comparing, two children
 * on every level of each pop, and an object's number field is a pointer to a boxed number: a comparison
 * here reads two numbers side by side in one array instead of four objects anywhere in memory.
 */
export class TimeQueue<T extends Timed> {
  private readonly items: (T | undefined)[] = [];
  private times = new Float64Array(1024);
  private orders = new Float64Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[0];
  }

  push(item: T): void {
    if (this.count === this.times.length) this.grow();
    const { times, orders } = this;
    const { at, order } = item;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(at, order, times[parent] as number, orders[parent] as number)) break;
      this.move(parent, i);
      i = parent;
    }
    this.place(i, item);
  }

  pop(): T | undefined {
    if (this.count === 0) return undefined;
    const { items, times, orders } = this;
    const top = items[0];
    const end = --this.count;
    const last = items[end] as T;
    items[end] = undefined;
    if (end === 0) return top;
    const { at, order } = last;
    let i = 0;
    for (let left = 1; left < end; left = 2 * i + 1) {
      const right = left + 1;
      const child =
        right < end &&
        before(times[right] as number, orders[right] as number, times[left] as number, orders[left] as number)
          ? right
          : left;
      if (!before(times[child] as number, orders[child] as number, at, order)) break;
      this.move(child, i);
      i = child;
    }
    this.place(i, last);
    return top;
  }

  private move(from: number, to: number): void {
    this.items[to] = this.items[from];
    this.times[to] = this.times[from] as number;
    this.orders[to] = this.orders[from] as number;
  }

  private place(i: number, item: T): void {
    this.items[i] = item;
    this.times[i] = item.at;
    this.orders[i] = item.order;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    const orders = new Float64Array(this.orders.length * 2);
    orders.set(this.orders);
    this.orders = orders;
  }
}
