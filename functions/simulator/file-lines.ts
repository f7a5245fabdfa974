import { closeSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";

/** Whether the file can be read: throws as reading it would (ENOENT, EISDIR, EACCES) without reading it all. */
export function checkReadable(path: string): void {
  const fd = openSync(path, "r");
  try {
    readSync(fd, Buffer.alloc(1));
  } finally {
    closeSync(fd);
  }
}

/** How much of the file is read at a time. */
const CHUNK_BYTES = 1 << 20;

/**
 * The lines of a UTF-8 file, read a chunk at a time as they are asked for, split on "\n" as
 * `text.split("\n")` splits them (a file ending in a newline ends in an empty line). A large event file
 * is then never in memory whole: each line is parsed and let go (see parseEventLines).
 * The file is opened when the lines are first asked for, and closed when they run out or are left.
 */
export function fileLines(path: string): Iterable<string> {
  return {
    *[Symbol.iterator]() {
      const fd = openSync(path, "r");
      const decoder = new StringDecoder("utf8");
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      let rest = "";
      try {
        for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
          const text = rest + decoder.write(buffer.subarray(0, read));
          let from = 0;
          for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", from)) {
            yield text.slice(from, newline);
            from = newline + 1;
          }
          rest = text.slice(from);
        }
        yield rest + decoder.end();
      } finally {
        closeSync(fd);
      }
    },
  };
}
