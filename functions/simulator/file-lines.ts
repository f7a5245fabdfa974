import { closeSync, openSync, readSync } from "node:fs";

/** Whether the file can be read: throws as reading it would (ENOENT, EISDIR, EACCES) without reading it all. */
export function checkReadable(path: string): void {
  const fd = openSync(path, "r");
  try {
    readSync(fd, Buffer.alloc(1));
  } finally {
    closeSync(fd);
  }
}

/** How much of the file is read at a time (the buffer grows for a longer line). */
const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/**
 * The lines of a UTF-8 file, read a chunk at a time as they are asked for, split on "\n" as
 * `text.split("\n")` splits them (a file ending in a newline ends in an empty line). A large event file
 * is then never in memory whole: each line is parsed and let go (see orderEventLines).
 * Each line is decoded from the bytes on its own: a chunk decoded whole would be a string of a megabyte,
 * which V8 puts in its large-object space, freed only by a full collection, and which every line cut
 * from it keeps alive. "\n" is never part of a multi-byte character, so the lines are the same.
 * The file is opened when the lines are first asked for, and closed when they run out or are left.
 */
export function fileLines(path: string): Iterable<string> {
  return {
    *[Symbol.iterator]() {
      const fd = openSync(path, "r");
      let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      // Bytes [from, end) of the buffer are read and not yet given out.
      let from = 0;
      let end = 0;
      try {
        for (;;) {
          for (let newline = buffer.indexOf(NEWLINE, from); newline !== -1 && newline < end; ) {
            yield buffer.toString("utf8", from, newline);
            from = newline + 1;
            newline = buffer.indexOf(NEWLINE, from);
          }
          // The start of a line not read whole yet moves to the front; a line longer than the buffer grows it.
          if (from === 0 && end === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
          else buffer.copy(buffer, 0, from, end);
          end -= from;
          from = 0;
          const read = readSync(fd, buffer, end, buffer.length - end, null);
          if (read === 0) break;
          end += read;
        }
        yield buffer.toString("utf8", 0, end);
      } finally {
        closeSync(fd);
      }
    },
  };
}
