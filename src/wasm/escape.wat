;; A batch's records, each written whole by one call (`record`, from server/record-writer.ts via
;; json-escape.ts): the frame's opening and the id prefix, the offset in base 36, the suffix and
;; the file, the line escaped, its session and event, the close and the frame's end. JavaScript
;; pays a nanosecond or more a byte and a call per constant part; here a constant part is one or two
;; 16-byte copies and a line 16 bytes a step.
;;
;; The escape: only what JSON.stringify escapes changes: `"` and `\` get a backslash, control bytes
;; become `\n`, `\t`... or `\u00XX`; everything else, UTF-8 included, is copied. On the way it notes
;; what decides the line's session and event: the first `:`, whether it holds whitespace,
;; non-ASCII bytes or escapes other than quotes, and where its quotes are. A text line is then an
;; event from its colon; `flatFields` settles a JSON line of string members only from the quote
;; positions alone. Any other line is left to the caller (server/json-scan.ts, the definition).
;;
;; Memory: [0, 256) the escape of each control byte; [256, 272) the results of the last call;
;; [512, 544) the fields' openings; [1024, 17408) quote positions; from `input` on, the batch,
;; the batch's constant parts of a record, and after them the records, placed and grown by the
;; caller. Every load reads 16 bytes and every run store writes 16: the caller keeps 16 bytes of
;; slack after the input, after each constant part and after the output.
(module
  (memory (export "memory") 8)

  (global $results (export "results") i32 (i32.const 256))
  (global $quotes (export "quotes") i32 (i32.const 1024))
  (global $quoteCapacity (export "quoteCapacity") i32 (i32.const 4096))
  (global (export "input") i32 (i32.const 32768))

  ;; The batch's constant parts of a record (`frame` places them): where each starts and its length.
  ;; Before the id: the frame's opening, `{"id":"` and the id prefix. Between two ids (SSE only,
  ;; whose event id is the record's): the suffix, `\ndata: {"id":"` and the prefix again; length 0
  ;; when the id is written once. After the id: the suffix and `","file":"…","line":"`. The
  ;; closes: `"}` or `","truncated":true}`, then the frame's end.
  (global $head (mut i32) (i32.const 0))
  (global $headLength (mut i32) (i32.const 0))
  (global $between (mut i32) (i32.const 0))
  (global $betweenLength (mut i32) (i32.const 0))
  (global $afterId (mut i32) (i32.const 0))
  (global $afterIdLength (mut i32) (i32.const 0))
  (global $close (mut i32) (i32.const 0))
  (global $closeLength (mut i32) (i32.const 0))
  (global $closeTruncated (mut i32) (i32.const 0))
  (global $closeTruncatedLength (mut i32) (i32.const 0))

  ;; Bits of the flags result.
  ;; 1: whitespace as a regex's \s sees it in ASCII (a space, or a tab, newline, VT, FF, CR);
  ;; 2: a byte above 0x7f; 4: an escape other than a quote (backslash or control byte).

  ;; JSON's escape of control byte b at b * 8: two bytes for the five with a short form, else six.
  (data (i32.const 0)
    "\5cu0000\00\00" "\5cu0001\00\00" "\5cu0002\00\00" "\5cu0003\00\00"
    "\5cu0004\00\00" "\5cu0005\00\00" "\5cu0006\00\00" "\5cu0007\00\00"
    "\5cb\00\00\00\00\00\00" "\5ct\00\00\00\00\00\00" "\5cn\00\00\00\00\00\00" "\5cu000b\00\00"
    "\5cf\00\00\00\00\00\00" "\5cr\00\00\00\00\00\00" "\5cu000e\00\00" "\5cu000f\00\00"
    "\5cu0010\00\00" "\5cu0011\00\00" "\5cu0012\00\00" "\5cu0013\00\00"
    "\5cu0014\00\00" "\5cu0015\00\00" "\5cu0016\00\00" "\5cu0017\00\00"
    "\5cu0018\00\00" "\5cu0019\00\00" "\5cu001a\00\00" "\5cu001b\00\00"
    "\5cu001c\00\00" "\5cu001d\00\00" "\5cu001e\00\00" "\5cu001f\00\00")

  ;; What stands before a session and an event in a record (server/record-writer.ts has the same).
  (data (i32.const 512) "\",\"session\":\"")
  (data (i32.const 528) "\",\"event\":\"")

  ;; Escapes [src, end) into dst and returns where the output ends. Results at `results`: the
  ;; number of quotes (their positions, minus `origin`, at `quotes`; only the first quoteCapacity
  ;; are kept), the first `:` minus `origin` (-1: none), and the flags.
  (func $escape (export "escape") (param $src i32) (param $end i32) (param $dst i32) (param $origin i32) (result i32)
    (local $base i32) (local $stop i32) (local $valid i32) (local $block v128) (local $m i32)
    (local $cur i32) (local $at i32) (local $b i32) (local $entry i32)
    (local $q i32) (local $qLimit i32) (local $colon i32) (local $flags i32)
    (local.set $base (local.get $src))
    (local.set $cur (local.get $src))
    (local.set $q (global.get $quotes))
    (local.set $qLimit (i32.add (global.get $quotes) (i32.shl (global.get $quoteCapacity) (i32.const 2))))
    (local.set $colon (i32.const -1))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $base) (local.get $end)))
        ;; The last block holds fewer than 16 bytes of the line: the bits past its end are dropped.
        (local.set $stop (i32.add (local.get $base) (i32.const 16)))
        (local.set $valid (i32.const 0xffff))
        (if (i32.gt_u (local.get $stop) (local.get $end))
          (then
            (local.set $valid
              (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $end) (local.get $base))) (i32.const 1)))
            (local.set $stop (local.get $end))))
        (local.set $block (v128.load (local.get $base)))

        ;; The first colon, looked for only until found.
        (if (i32.lt_s (local.get $colon) (i32.const 0))
          (then
            (local.set $m
              (i32.and (local.get $valid)
                (i8x16.bitmask (i8x16.eq (local.get $block) (i8x16.splat (i32.const 0x3a))))))
            (if (local.get $m)
              (then
                (local.set $colon
                  (i32.sub (i32.add (local.get $base) (i32.ctz (local.get $m))) (local.get $origin)))))))

        ;; A space makes the line an ordinary one, not an event; a high bit means non-ASCII.
        (if (i32.and (local.get $valid)
              (i8x16.bitmask (i8x16.eq (local.get $block) (i8x16.splat (i32.const 0x20)))))
          (then (local.set $flags (i32.or (local.get $flags) (i32.const 1)))))
        (if (i32.and (local.get $valid) (i8x16.bitmask (local.get $block)))
          (then (local.set $flags (i32.or (local.get $flags) (i32.const 2)))))

        ;; The bytes to escape: quote, backslash, controls.
        (local.set $m
          (i32.and (local.get $valid)
            (i8x16.bitmask
              (v128.or
                (v128.or
                  (i8x16.eq (local.get $block) (i8x16.splat (i32.const 0x22)))
                  (i8x16.eq (local.get $block) (i8x16.splat (i32.const 0x5c))))
                (i8x16.lt_u (local.get $block) (i8x16.splat (i32.const 0x20)))))))

        ;; Each escape in order: the run before it in one store (at most 16 bytes, as the run
        ;; starts in this block), then the escape.
        (block $escaped
          (loop $each
            (br_if $escaped (i32.eqz (local.get $m)))
            (local.set $at (i32.add (local.get $base) (i32.ctz (local.get $m))))
            (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
            (v128.store (local.get $dst) (v128.load (local.get $cur)))
            (local.set $dst (i32.add (local.get $dst) (i32.sub (local.get $at) (local.get $cur))))
            (local.set $b (i32.load8_u (local.get $at)))
            (if (i32.lt_u (local.get $b) (i32.const 0x20))
              (then
                ;; A control byte is replaced: its escape from the table (eight bytes stored, two
                ;; or six kept), and the run goes on after it.
                (local.set $entry (i32.shl (local.get $b) (i32.const 3)))
                (i64.store (local.get $dst) (i64.load (local.get $entry)))
                (local.set $dst
                  (i32.add (local.get $dst)
                    (select (i32.const 6) (i32.const 2)
                      (i32.eq (i32.load8_u offset=1 (local.get $entry)) (i32.const 0x75)))))
                (local.set $cur (i32.add (local.get $at) (i32.const 1)))
                (local.set $flags
                  (i32.or (local.get $flags)
                    (select (i32.const 5) (i32.const 4)
                      (i32.le_u (i32.sub (local.get $b) (i32.const 0x09)) (i32.const 4))))))
              (else
                ;; A quote or backslash keeps its byte, which the next run copies: only the
                ;; backslash before it is written here.
                (i32.store8 (local.get $dst) (i32.const 0x5c))
                (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
                (local.set $cur (local.get $at))
                (if (i32.eq (local.get $b) (i32.const 0x22))
                  (then
                    (if (i32.lt_u (local.get $q) (local.get $qLimit))
                      (then (i32.store (local.get $q) (i32.sub (local.get $at) (local.get $origin)))))
                    (local.set $q (i32.add (local.get $q) (i32.const 4))))
                  (else (local.set $flags (i32.or (local.get $flags) (i32.const 4)))))))
            (br $each)))

        ;; The rest of the block after its last escape.
        (v128.store (local.get $dst) (v128.load (local.get $cur)))
        (local.set $dst (i32.add (local.get $dst) (i32.sub (local.get $stop) (local.get $cur))))
        (local.set $cur (local.get $stop))
        (local.set $base (i32.add (local.get $base) (i32.const 16)))
        (br $blocks)))

    (i32.store (global.get $results)
      (i32.shr_u (i32.sub (local.get $q) (global.get $quotes)) (i32.const 2)))
    (i32.store offset=4 (global.get $results) (local.get $colon))
    (i32.store offset=8 (global.get $results) (local.get $flags))
    (local.get $dst))
;; Copies n bytes from src to dst, 16 at a time (up to 15 bytes more are read and written).
  (func $copy (param $dst i32) (param $src i32) (param $n i32) (result i32)
    (local $stop i32)
    (local.set $stop (i32.add (local.get $dst) (local.get $n)))
    (block $done
      (loop $runs
        (br_if $done (i32.ge_s (local.get $dst) (local.get $stop)))
        (v128.store (local.get $dst) (v128.load (local.get $src)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $runs)))
    (local.get $stop))

  ;; `","session":"<session>","event":"<event>` at dst; returns where it ends.
  (func $fields (param $dst i32) (param $origin i32)
      (param $sFrom i32) (param $sTo i32) (param $eFrom i32) (param $eTo i32) (result i32)
    (v128.store (local.get $dst) (v128.load (i32.const 512)))
    (local.set $dst
      (call $copy (i32.add (local.get $dst) (i32.const 13))
        (i32.add (local.get $origin) (local.get $sFrom)) (i32.sub (local.get $sTo) (local.get $sFrom))))
    (v128.store (local.get $dst) (v128.load (i32.const 528)))
    (call $copy (i32.add (local.get $dst) (i32.const 11))
      (i32.add (local.get $origin) (local.get $eFrom)) (i32.sub (local.get $eTo) (local.get $eFrom))))

  ;; Whether [from, to) (a string of a line with no escape but quotes) is a session or an event by
  ;; the format's rule: non-empty and without whitespace, which in such a string can only be a space.
  (func $part (param $from i32) (param $to i32) (param $origin i32) (result i32)
    (if (i32.le_s (local.get $to) (local.get $from)) (then (return (i32.const 0))))
    (block $scanned
      (loop $each
        (br_if $scanned (i32.ge_u (local.get $from) (local.get $to)))
        (if (i32.eq (i32.load8_u (i32.add (local.get $origin) (local.get $from))) (i32.const 0x20))
          (then (return (i32.const 0))))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br $each)))
    (i32.const 1))

  ;; The quote position with index i, from the last `escape`.
  (func $quote (param $i i32) (result i32)
    (i32.load (i32.add (global.get $quotes) (i32.shl (local.get $i) (i32.const 2)))))

  ;; The line [from, to) (batch positions; it starts with `{` and the last `escape` was of it and
  ;; found no escape but quotes, nor non-ASCII) as a JSON object of string members only, written
  ;; as winston does: `{"k":"v","k":"v"}`. Each gap between quotes must then be the one byte `:`
  ;; or `,`, which with quote-free strings makes the line valid JSON. Returns -1 when the line is
  ;; not of this shape; else writes the session and event that JSON.parse would give (the last
  ;; string of each key; else the message's `<session>:<event>`) at dst, and returns where they end
  ;; (dst itself when the line has none).
  (func $flatFields (param $from i32) (param $to i32) (param $dst i32) (param $origin i32) (result i32)
    (local $n i32) (local $i i32) (local $at i32) (local $key i32) (local $length i32) (local $word i64)
    (local $sFrom i32) (local $sTo i32) (local $eFrom i32) (local $eTo i32) (local $mFrom i32) (local $mTo i32)
    (local $colon i32) (local $b i32)
    (local.set $n (i32.load (global.get $results)))
    ;; Four quotes a member; every one of them known.
    (if (i32.or (i32.or (i32.eqz (local.get $n)) (i32.and (local.get $n) (i32.const 3)))
          (i32.gt_u (local.get $n) (global.get $quoteCapacity)))
      (then (return (i32.const -1))))
    ;; `{"` opens it and `"}` closes it.
    (if (i32.or
          (i32.or
            (i32.ne (call $quote (i32.const 0)) (i32.add (local.get $from) (i32.const 1)))
            (i32.ne (call $quote (i32.sub (local.get $n) (i32.const 1))) (i32.sub (local.get $to) (i32.const 2))))
          (i32.ne (i32.load8_u (i32.sub (i32.add (local.get $origin) (local.get $to)) (i32.const 1))) (i32.const 0x7d)))
      (then (return (i32.const -1))))
    ;; Between a closing quote and the next opening one: `:` inside a member, `,` between members.
    (local.set $i (i32.const 1))
    (block $gaps
      (loop $each
        (br_if $gaps (i32.ge_u (local.get $i) (i32.sub (local.get $n) (i32.const 1))))
        (local.set $at (call $quote (local.get $i)))
        (if (i32.or
              (i32.ne (call $quote (i32.add (local.get $i) (i32.const 1))) (i32.add (local.get $at) (i32.const 2)))
              (i32.ne (i32.load8_u offset=1 (i32.add (local.get $origin) (local.get $at)))
                (select (i32.const 0x2c) (i32.const 0x3a) (i32.and (local.get $i) (i32.const 2)))))
          (then (return (i32.const -1))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $each)))
    ;; The keys, compared as one 8-byte word each; the last of a duplicate key wins.
    (local.set $sFrom (i32.const -1))
    (local.set $eFrom (i32.const -1))
    (local.set $mFrom (i32.const -1))
    (local.set $i (i32.const 0))
    (block $members
      (loop $each
        (br_if $members (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $key (i32.add (call $quote (local.get $i)) (i32.const 1)))
        (local.set $length (i32.sub (call $quote (i32.add (local.get $i) (i32.const 1))) (local.get $key)))
        (local.set $word (i64.load (i32.add (local.get $origin) (local.get $key))))
        (if (i32.eq (local.get $length) (i32.const 7))
          (then
            (local.set $word (i64.and (local.get $word) (i64.const 0x00ffffffffffffff)))
            ;; "session" and "message", little-endian.
            (if (i64.eq (local.get $word) (i64.const 0x6e6f6973736573))
              (then
                (local.set $sFrom (i32.add (call $quote (i32.add (local.get $i) (i32.const 2))) (i32.const 1)))
                (local.set $sTo (call $quote (i32.add (local.get $i) (i32.const 3))))))
            (if (i64.eq (local.get $word) (i64.const 0x6567617373656d))
              (then
                (local.set $mFrom (i32.add (call $quote (i32.add (local.get $i) (i32.const 2))) (i32.const 1)))
                (local.set $mTo (call $quote (i32.add (local.get $i) (i32.const 3))))))))
        ;; "event".
        (if (i32.and (i32.eq (local.get $length) (i32.const 5))
              (i64.eq (i64.and (local.get $word) (i64.const 0xffffffffff)) (i64.const 0x746e657665)))
          (then
            (local.set $eFrom (i32.add (call $quote (i32.add (local.get $i) (i32.const 2))) (i32.const 1)))
            (local.set $eTo (call $quote (i32.add (local.get $i) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $each)))
    ;; The fields are the event when each is one by the format's rule (non-empty, no whitespace);
    ;; else the message may be.
    (if (i32.and
          (i32.and (i32.ge_s (local.get $sFrom) (i32.const 0)) (i32.ge_s (local.get $eFrom) (i32.const 0)))
          (i32.and (call $part (local.get $sFrom) (local.get $sTo) (local.get $origin))
            (call $part (local.get $eFrom) (local.get $eTo) (local.get $origin))))
      (then
        (return (call $fields (local.get $dst) (local.get $origin)
          (local.get $sFrom) (local.get $sTo) (local.get $eFrom) (local.get $eTo)))))
    (if (i32.lt_s (local.get $mFrom) (i32.const 0)) (then (return (local.get $dst))))
    ;; A message `<session>:<event>`: split at its first colon, both halves non-empty, no
    ;; whitespace (in a string without controls, only a space).
    (local.set $colon (i32.const -1))
    (local.set $i (local.get $mFrom))
    (block $scanned
      (loop $each
        (br_if $scanned (i32.ge_u (local.get $i) (local.get $mTo)))
        (local.set $b (i32.load8_u (i32.add (local.get $origin) (local.get $i))))
        (if (i32.eq (local.get $b) (i32.const 0x20)) (then (return (local.get $dst))))
        (if (i32.and (i32.eq (local.get $b) (i32.const 0x3a)) (i32.lt_s (local.get $colon) (i32.const 0)))
          (then (local.set $colon (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (if (i32.or (i32.le_s (local.get $colon) (local.get $mFrom))
          (i32.eq (local.get $colon) (i32.sub (local.get $mTo) (i32.const 1))))
      (then (return (local.get $dst))))
    (call $fields (local.get $dst) (local.get $origin)
      (local.get $mFrom) (local.get $colon) (i32.add (local.get $colon) (i32.const 1)) (local.get $mTo)))
;; Sets the batch's constant parts (each followed by 16 bytes of slack, as $copy reads past it).
  (func (export "frame") (param $head i32) (param $headLength i32) (param $between i32) (param $betweenLength i32)
      (param $afterId i32) (param $afterIdLength i32) (param $close i32) (param $closeLength i32)
      (param $closeTruncated i32) (param $closeTruncatedLength i32)
    (global.set $head (local.get $head))
    (global.set $headLength (local.get $headLength))
    (global.set $between (local.get $between))
    (global.set $betweenLength (local.get $betweenLength))
    (global.set $afterId (local.get $afterId))
    (global.set $afterIdLength (local.get $afterIdLength))
    (global.set $close (local.get $close))
    (global.set $closeLength (local.get $closeLength))
    (global.set $closeTruncated (local.get $closeTruncated))
    (global.set $closeTruncatedLength (local.get $closeTruncatedLength)))

  ;; The offset in base 36 at dst, spelt as Number#toString(36) does (lower case, no leading zero;
  ;; a safe integer, so at most 11 digits); returns where it ends. Most offsets fit 32 bits, whose
  ;; division costs less than 64-bit division.
  (func $id (param $dst i32) (param $offset f64) (result i32)
    (local $wide i64) (local $narrow i32) (local $digits i32) (local $p i32) (local $d i32)
    (local.set $wide (i64.trunc_f64_u (local.get $offset)))
    ;; The digits from the last one back, as long as the rest needs 64 bits.
    (local.set $p (i32.add (local.get $dst) (i32.const 11)))
    (block $narrowed
      (loop $each
        (br_if $narrowed (i64.le_u (local.get $wide) (i64.const 0xffffffff)))
        (local.set $d (i32.wrap_i64 (i64.rem_u (local.get $wide) (i64.const 36))))
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i32.store8 (local.get $p)
          (i32.add (local.get $d) (select (i32.const 0x30) (i32.const 0x57) (i32.lt_u (local.get $d) (i32.const 10)))))
        (local.set $wide (i64.div_u (local.get $wide) (i64.const 36)))
        (br $each)))
    (local.set $narrow (i32.wrap_i64 (local.get $wide)))
    (loop $each
      (local.set $d (i32.rem_u (local.get $narrow) (i32.const 36)))
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (local.get $d) (select (i32.const 0x30) (i32.const 0x57) (i32.lt_u (local.get $d) (i32.const 10)))))
      (local.set $narrow (i32.div_u (local.get $narrow) (i32.const 36)))
      (br_if $each (local.get $narrow)))
    ;; Written from dst + 11 back: moved to dst (one 16-byte step, within the record's room).
    (local.set $digits (i32.sub (i32.add (local.get $dst) (i32.const 11)) (local.get $p)))
    (v128.store (local.get $dst) (v128.load (local.get $p)))
    (i32.add (local.get $dst) (local.get $digits)))

  ;; The record's close (truncated or not) and the frame's end at dst; returns where they end.
  (func $close (export "close") (param $dst i32) (param $truncated i32) (result i32)
    (if (result i32) (local.get $truncated)
      (then (call $copy (local.get $dst) (global.get $closeTruncated) (global.get $closeTruncatedLength)))
      (else (call $copy (local.get $dst) (global.get $close) (global.get $closeLength)))))

  ;; The whole framed record of the line [src, end) of the loaded batch, ending before file offset
  ;; `offset` (its id), at dst: returns where it ends. When the line needs what only the caller can
  ;; judge (non-ASCII bytes, a JSON line of another shape than `flatFields` reads, an event with
  ;; something escaped) it returns -1, having written the record up to the escaped line, whose end
  ;; it leaves at `results` + 12, and the results of `escape` as they are.
  (func (export "record") (param $src i32) (param $end i32) (param $dst i32) (param $origin i32)
      (param $offset f64) (param $truncated i32) (result i32)
    (local $lineAt i32) (local $flags i32) (local $n i32) (local $colon i32)
    (local.set $dst (call $copy (local.get $dst) (global.get $head) (global.get $headLength)))
    (if (global.get $betweenLength)
      (then
        (local.set $dst (call $id (local.get $dst) (local.get $offset)))
        (local.set $dst (call $copy (local.get $dst) (global.get $between) (global.get $betweenLength)))))
    (local.set $dst (call $id (local.get $dst) (local.get $offset)))
    (local.set $lineAt (call $copy (local.get $dst) (global.get $afterId) (global.get $afterIdLength)))
    (local.set $dst (call $escape (local.get $src) (local.get $end) (local.get $lineAt) (local.get $origin)))
    (i32.store offset=12 (global.get $results) (local.get $dst))
    (local.set $flags (i32.load offset=8 (global.get $results)))
    (local.set $n (i32.sub (local.get $end) (local.get $src)))
    (if (i32.and (local.get $flags) (i32.const 2)) (then (return (i32.const -1))))
    (if (i32.and (i32.gt_s (local.get $n) (i32.const 0)) (i32.eq (i32.load8_u (local.get $src)) (i32.const 0x7b)))
      (then
        ;; A JSON line: settled here only when winston's flat shape, read from its quotes alone.
        (if (i32.and (local.get $flags) (i32.const 4)) (then (return (i32.const -1))))
        (local.set $dst
          (call $flatFields (i32.sub (local.get $src) (local.get $origin)) (i32.sub (local.get $end) (local.get $origin))
            (local.get $dst) (local.get $origin)))
        (if (i32.lt_s (local.get $dst) (i32.const 0)) (then (return (i32.const -1)))))
      (else
        ;; A text line is an event `<session>:<event>` when its first colon has bytes on both
        ;; sides and it holds no whitespace.
        (local.set $colon
          (select (i32.const -1) (i32.load offset=4 (global.get $results)) (i32.and (local.get $flags) (i32.const 1))))
        (if (i32.ge_s (local.get $colon) (i32.const 0))
          (then
            (local.set $colon (i32.sub (i32.add (local.get $colon) (local.get $origin)) (local.get $src)))
            (if (i32.and (i32.gt_s (local.get $colon) (i32.const 0))
                  (i32.lt_s (local.get $colon) (i32.sub (local.get $n) (i32.const 1))))
              (then
                ;; Its halves are the line's own bytes only when nothing in it was escaped.
                (if (i32.ne (i32.sub (local.get $dst) (local.get $lineAt)) (local.get $n))
                  (then (return (i32.const -1))))
                (local.set $dst
                  (call $fields (local.get $dst) (local.get $src) (i32.const 0) (local.get $colon)
                    (i32.add (local.get $colon) (i32.const 1)) (local.get $n)))))))))
    (call $close (local.get $dst) (local.get $truncated)))
)
