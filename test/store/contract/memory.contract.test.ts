import { MemoryStore } from "../../../functions/store/memory/memory-store.ts";
import { storeContract } from "./contract.ts";

// The in-memory store (the simulator's and the tests'): it reads no clock.
storeContract("MemoryStore", async () => ({ store: new MemoryStore(), close: async () => undefined }));
