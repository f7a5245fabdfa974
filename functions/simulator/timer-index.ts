import type { WakeUp } from "../engine/model.ts";
import type { DueWakeUps, TimerStore } from "../runtime/ports.ts";
import { MemoryTimers } from "../store/memory/memory-timers.ts";

/** The timer methods the index answers; the others go to the store as they are. */
interface IndexedTimers extends TimerStore {
  countPendingWakeUps(): Promise<number>;
  scheduleWakeUps(wakeUps: readonly WakeUp[]): Promise<void>;
}

/**
 * A store whose table is this simulation's alone, with its wake-ups also indexed in process memory: the
 * table still gets every wake-up's write (the simulation shows what a run costs), and the simulator's
 * virtual clock takes them from the index at no request, exactly when due. The production timer wheel
 * (functions/store/dynamodb/timer-wheel.ts) knows nothing of it: on a shared table the tick walks the
 * wheel's cursor, which runs on the wall clock.
 */
export function withTimerIndex<S extends TimerStore>(store: S): S {
  const index = new MemoryTimers();
  const scheduleAll = (store as Partial<IndexedTimers>).scheduleWakeUps?.bind(store);
  const timers: IndexedTimers = {
    async scheduleWakeUp(wakeUp: WakeUp) {
      await store.scheduleWakeUp(wakeUp);
      await index.scheduleWakeUp(wakeUp);
    },
    async scheduleWakeUps(wakeUps: readonly WakeUp[]) {
      if (scheduleAll === undefined) for (const wakeUp of wakeUps) await store.scheduleWakeUp(wakeUp);
      else await scheduleAll(wakeUps);
      for (const wakeUp of wakeUps) await index.scheduleWakeUp(wakeUp);
    },
    dueWakeUps: (until: number, limit: number): Promise<DueWakeUps> => index.dueWakeUps(until, limit),
    takeDueWakeUps: (until: number, limit: number) => index.takeDueWakeUps(until, limit),
    nextWakeUpAt: () => index.nextWakeUpAt(),
    countPendingWakeUps: async () => index.pending,
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (typeof property === "string" && Object.hasOwn(timers, property))
        return timers[property as keyof IndexedTimers];
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
