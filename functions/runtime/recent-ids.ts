/**
 * A bounded memory of ids: at least the newest `capacity / 2` are kept, at most `capacity`. Two generations
 * of a Set: ids are added to the newer; when it holds half the capacity, the older is dropped whole and the
 * newer becomes the older. No id is ever deleted one by one: a Set's deletions leave slots that its next
 * lookups walk past until it is rebuilt, and a delete for every add cost as much as the adds.
 */
export class RecentIds {
  private newer = new Set<string>();
  private older = new Set<string>();
  private readonly generation: number;

  constructor(capacity: number) {
    this.generation = Math.max(1, Math.floor(capacity / 2));
  }

  has(id: string): boolean {
    return this.newer.has(id) || this.older.has(id);
  }

  /** Remembers `id` (one remembered again may then be in both generations: it is forgotten with the newer). */
  remember(id: string): void {
    if (this.newer.size >= this.generation) {
      this.older = this.newer;
      this.newer = new Set();
    }
    this.newer.add(id);
  }
}
