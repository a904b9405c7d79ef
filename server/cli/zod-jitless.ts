/**
 * Imported first by main.ts, before any module builds a schema: zod decides per schema, when the
 * schema is built, whether to generate a compiled fast path (`new Function`) at its first parse.
 * A console parses the same schemas millions of times and gains from that; a command parses each a
 * handful of times, and generating the code cost more than it saved (the policy's first parse took
 * about 30 ms compiled, under 8 ms without; issue 14). Same checks, same results: only how they run.
 */
import { z } from 'zod';

z.config({ jitless: true });
