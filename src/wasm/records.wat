;; The lines of the server's NDJSON records, unescaped 16 bytes at a time, for a listener that
;; prints them (src/client/record-bytes.ts calls it). A record has the shape the server writes,
;; {"id":"…","file":"…","line":"…","session":"…","event":"…","truncated":true} with file,
;; session+event and truncated optional; anything else (a gap record, a surrogate escape, an id with
;; an escape, a control byte, a record cut short) stops the reading there and the caller parses
;; that record with JSON.parse, the definition. The input must be valid UTF-8 (the caller checks).
;;
;; Memory: [0, 256) what each byte after a backslash stands for, [256, 512) hex digit values,
;; [512, 2560) for each 8-bit mask the indices of the bytes it does not mark, the input from
;; `input` on, then the output; every region is followed by 16 bytes of slack, as a 16-byte load
;; or store may reach that far past its end.
(module
  (memory (export "memory") 1)

  ;; Where the caller copies the input.
  (global (export "input") i32 (i32.const 4096))
  ;; Set by `read`: lines written, the end of the output, the start of the last line written, and
  ;; the last record's id as [idStart, idEnd) in the input.
  (global $lines (export "lines") (mut i32) (i32.const 0))
  (global $out (export "out") (mut i32) (i32.const 0))
  (global $lineStart (export "lineStart") (mut i32) (i32.const 0))
  (global $idStart (export "idStart") (mut i32) (i32.const 0))
  (global $idEnd (export "idEnd") (mut i32) (i32.const 0))
  ;; Where the output of the last string read ends (`$string`'s second result).
  (global $written (mut i32) (i32.const 0))

  ;; After a backslash: the byte the escape stands for, 0xff for `\u`, 0 for an invalid escape.
  (data (i32.const 0x22) "\22")
  (data (i32.const 0x2f) "\2f")
  (data (i32.const 0x5c) "\5c")
  (data (i32.const 0x62) "\08")
  (data (i32.const 0x66) "\0c")
  (data (i32.const 0x6e) "\0a")
  (data (i32.const 0x72) "\0d")
  (data (i32.const 0x74) "\09\ff")
  ;; Hex digits: 0x10 | value, 0 for anything else (four digits are valid when all have 0x10).
  (data (i32.const 0x130) "\10\11\12\13\14\15\16\17\18\19")
  (data (i32.const 0x141) "\1a\1b\1c\1d\1e\1f")
  (data (i32.const 0x161) "\1a\1b\1c\1d\1e\1f")

  ;; For each mask of 8 bits at 512 + 8 * mask: the indices (0 to 7) of the bytes whose bit is
  ;; clear, in order: a shuffle by them drops the marked bytes.
  (func $tables
    (local $mask i32) (local $j i32) (local $at i32)
    (loop $masks
      (local.set $at (i32.add (i32.const 512) (i32.shl (local.get $mask) (i32.const 3))))
      (local.set $j (i32.const 0))
      (loop $bytes
        (if (i32.eqz (i32.and (i32.shr_u (local.get $mask) (local.get $j)) (i32.const 1)))
          (then
            (i32.store8 (local.get $at) (local.get $j))
            (local.set $at (i32.add (local.get $at) (i32.const 1)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $bytes (i32.lt_u (local.get $j) (i32.const 8))))
      (local.set $mask (i32.add (local.get $mask) (i32.const 1)))
      (br_if $masks (i32.lt_u (local.get $mask) (i32.const 256)))))
  (start $tables)

  ;; Whether the `len` bytes at `at` (all before `end`) are the first `len` bytes of `word`.
  (func $match (param $at i32) (param $end i32) (param $word v128) (param $len i32) (result i32)
    (local $all i32)
    (if (i32.gt_u (i32.add (local.get $at) (local.get $len)) (local.get $end)) (then (return (i32.const 0))))
    (local.set $all (i32.sub (i32.shl (i32.const 1) (local.get $len)) (i32.const 1)))
    (i32.eq
      (i32.and (i8x16.bitmask (i8x16.eq (v128.load (local.get $at)) (local.get $word))) (local.get $all))
      (local.get $all)))

  ;; From just after a string's opening quote at `i`: the string unescaped to `o` on, its output's
  ;; end in $written; returns the index of its closing quote, or 0 when the string is not one this
  ;; module reads (cut by `end`, a control byte, an invalid or surrogate escape).
  (func $string (param $i i32) (param $end i32) (param $o i32) (result i32)
    (local $v v128) (local $m i32) (local $t i32) (local $b i32) (local $c i32) (local $q i32) (local $bs i32) (local $ctl i32)
    (loop $block
      (local.set $v (v128.load (local.get $i)))
      (local.set $q (i8x16.bitmask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))))
      (local.set $bs (i8x16.bitmask (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c)))))
      (local.set $ctl (i8x16.bitmask (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20)))))
      ;; Sixteen bytes before the end whose only escapes are `\"`, each whole in the block (a JSON
      ;; line's quotes): no control byte, and the quotes exactly the bytes after the backslashes.
      ;; They are copied without their backslashes, eight at a time, each half gathered by a
      ;; shuffle from the table of the bytes each 8-bit mask of backslashes keeps.
      (if (i32.and
            (i32.ge_u (i32.sub (local.get $end) (local.get $i)) (i32.const 16))
            (i32.eqz (i32.or (local.get $ctl) (i32.xor (local.get $q) (i32.shl (local.get $bs) (i32.const 1))))))
        (then
          (if (i32.eqz (local.get $bs))
            (then (v128.store (local.get $o) (local.get $v)))
            (else
              (local.set $m (i32.and (local.get $bs) (i32.const 0xff)))
              (v128.store64_lane 0 (local.get $o)
                (i8x16.swizzle (local.get $v) (v128.load64_zero offset=512 (i32.shl (local.get $m) (i32.const 3)))))
              (local.set $o (i32.sub (i32.add (local.get $o) (i32.const 8)) (i32.popcnt (local.get $m))))
              (local.set $m (i32.shr_u (local.get $bs) (i32.const 8)))
              (v128.store64_lane 0 (local.get $o)
                (i8x16.swizzle (local.get $v)
                  (i8x16.add (v128.load64_zero offset=512 (i32.shl (local.get $m) (i32.const 3))) (i8x16.splat (i32.const 8)))))
              (local.set $o (i32.sub (local.get $o) (i32.add (i32.popcnt (local.get $m)) (i32.const 8))))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br $block)))
      ;; Otherwise the bytes are copied whatever they hold (the output has slack), up to the first
      ;; quote, backslash or control byte, or byte past the end (a bit for each in the mask, so that
      ;; a string that is not closed before the end stops on a bit like any other).
      (v128.store (local.get $o) (local.get $v))
      (local.set $m (i32.or (i32.or (local.get $q) (local.get $bs)) (local.get $ctl)))
      (if (i32.lt_u (i32.sub (local.get $end) (local.get $i)) (i32.const 16))
        (then (local.set $m (i32.or (local.get $m)
          (i32.shl (i32.const -1) (i32.sub (local.get $end) (local.get $i)))))))
      ;; Sixteen bytes that stand for themselves: all copied already.
      (if (i32.eqz (local.get $m))
        (then
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br $block)))
      ;; The bytes before the first bit stand for themselves; at the bit, what ends or escapes.
      (local.set $t (i32.ctz (local.get $m)))
      (local.set $i (i32.add (local.get $i) (local.get $t)))
      (local.set $o (i32.add (local.get $o) (local.get $t)))
      (if (i32.ge_u (local.get $i) (local.get $end)) (then (return (i32.const 0))))
      (local.set $b (i32.load8_u (local.get $i)))
      (if (i32.eq (local.get $b) (i32.const 0x22))
        (then
          (global.set $written (local.get $o))
          (return (local.get $i))))
      (if (i32.ne (local.get $b) (i32.const 0x5c)) (then (return (i32.const 0))))
      ;; A backslash: the escaped byte must be before the end.
      (if (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $end)) (then (return (i32.const 0))))
      (local.set $c (i32.load8_u (i32.load8_u (i32.add (local.get $i) (i32.const 1)))))
      (if (i32.eqz (local.get $c)) (then (return (i32.const 0))))
      ;; A two-byte escape: one byte out.
      (if (i32.ne (local.get $c) (i32.const 0xff))
        (then
          (i32.store8 (local.get $o) (local.get $c))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (local.set $i (i32.add (local.get $i) (i32.const 2)))
          (br $block)))
      ;; `\uXXXX`: four hex digits before the end, not a surrogate (only JSON.parse pairs those).
      (if (i32.gt_u (i32.add (local.get $i) (i32.const 6)) (local.get $end)) (then (return (i32.const 0))))
      (local.set $b (i32.load8_u offset=256 (i32.load8_u offset=2 (local.get $i))))
      (local.set $t (i32.load8_u offset=256 (i32.load8_u offset=3 (local.get $i))))
      (local.set $m (i32.load8_u offset=256 (i32.load8_u offset=4 (local.get $i))))
      (local.set $c (i32.load8_u offset=256 (i32.load8_u offset=5 (local.get $i))))
      (if (i32.eqz (i32.and (i32.and (i32.and (local.get $b) (local.get $t)) (i32.and (local.get $m) (local.get $c))) (i32.const 0x10)))
        (then (return (i32.const 0))))
      (local.set $c (i32.or
        (i32.or (i32.shl (i32.and (local.get $b) (i32.const 15)) (i32.const 12)) (i32.shl (i32.and (local.get $t) (i32.const 15)) (i32.const 8)))
        (i32.or (i32.shl (i32.and (local.get $m) (i32.const 15)) (i32.const 4)) (i32.and (local.get $c) (i32.const 15)))))
      (if (i32.eq (i32.and (local.get $c) (i32.const 0xf800)) (i32.const 0xd800)) (then (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 6)))
      ;; The character as UTF-8, one to three bytes (fewer than the six of its escape).
      (if (i32.lt_u (local.get $c) (i32.const 0x80))
        (then
          (i32.store8 (local.get $o) (local.get $c))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (br $block)))
      (if (i32.lt_u (local.get $c) (i32.const 0x800))
        (then
          (i32.store8 (local.get $o) (i32.or (i32.const 0xc0) (i32.shr_u (local.get $c) (i32.const 6))))
          (i32.store8 offset=1 (local.get $o) (i32.or (i32.const 0x80) (i32.and (local.get $c) (i32.const 0x3f))))
          (local.set $o (i32.add (local.get $o) (i32.const 2)))
          (br $block)))
      (i32.store8 (local.get $o) (i32.or (i32.const 0xe0) (i32.shr_u (local.get $c) (i32.const 12))))
      (i32.store8 offset=1 (local.get $o) (i32.or (i32.const 0x80) (i32.and (i32.shr_u (local.get $c) (i32.const 6)) (i32.const 0x3f))))
      (i32.store8 offset=2 (local.get $o) (i32.or (i32.const 0x80) (i32.and (local.get $c) (i32.const 0x3f))))
      (local.set $o (i32.add (local.get $o) (i32.const 3)))
      (br $block))
    (unreachable))

  ;; Reads records of [pos, end) (`pos` at a line's start) until `max` lines are written, each
  ;; line followed by `\n` from `o` on; returns where it stopped: `end`, or the start of the
  ;; record it leaves to the caller. A record's line and `\n` are shorter than the record, so the
  ;; output takes at most end - pos bytes (and 16 of slack).
  (func (export "read") (param $pos i32) (param $end i32) (param $o i32) (param $max i32) (result i32)
    (local $i i32) (local $id i32) (local $idEnd i32) (local $line i32)
    (global.set $lines (i32.const 0))
    (global.set $out (local.get $o))
    (block $stop
      (loop $records
        (br_if $stop (i32.ge_u (local.get $pos) (local.get $end)))
        (br_if $stop (i32.ge_u (global.get $lines) (local.get $max)))
        ;; Empty lines are no records.
        (if (i32.eq (i32.load8_u (local.get $pos)) (i32.const 0x0a))
          (then
            (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
            (br $records)))
        ;; {"id":"…" with nothing escaped: the id is handed back as the input's bytes.
        (br_if $stop (i32.eqz (call $match (local.get $pos) (local.get $end)
          (v128.const i8x16 0x7b 0x22 0x69 0x64 0x22 0x3a 0x22 0 0 0 0 0 0 0 0 0) (i32.const 7))))
        (local.set $id (i32.add (local.get $pos) (i32.const 7)))
        (local.set $i (call $string (local.get $id) (local.get $end) (local.get $o)))
        (br_if $stop (i32.eqz (local.get $i)))
        (br_if $stop (i32.ne (i32.sub (global.get $written) (local.get $o)) (i32.sub (local.get $i) (local.get $id))))
        (local.set $idEnd (local.get $i))
        ;; ,"file":"…" read and dropped (written where the line goes next).
        (if (call $match (local.get $i) (local.get $end)
              (v128.const i8x16 0x22 0x2c 0x22 0x66 0x69 0x6c 0x65 0x22 0x3a 0x22 0 0 0 0 0 0) (i32.const 10))
          (then
            (local.set $i (call $string (i32.add (local.get $i) (i32.const 10)) (local.get $end) (local.get $o)))
            (br_if $stop (i32.eqz (local.get $i)))))
        ;; ,"line":"…": the line, kept.
        (br_if $stop (i32.eqz (call $match (local.get $i) (local.get $end)
          (v128.const i8x16 0x22 0x2c 0x22 0x6c 0x69 0x6e 0x65 0x22 0x3a 0x22 0 0 0 0 0 0) (i32.const 10))))
        (local.set $i (call $string (i32.add (local.get $i) (i32.const 10)) (local.get $end) (local.get $o)))
        (br_if $stop (i32.eqz (local.get $i)))
        (local.set $line (global.get $written))
        ;; ,"session":"…","event":"…" read and dropped (written after the line, then overwritten).
        (if (call $match (local.get $i) (local.get $end)
              (v128.const i8x16 0x22 0x2c 0x22 0x73 0x65 0x73 0x73 0x69 0x6f 0x6e 0x22 0x3a 0x22 0 0 0) (i32.const 13))
          (then
            (local.set $i (call $string (i32.add (local.get $i) (i32.const 13)) (local.get $end) (local.get $line)))
            (br_if $stop (i32.eqz (local.get $i)))
            (br_if $stop (i32.eqz (call $match (local.get $i) (local.get $end)
              (v128.const i8x16 0x22 0x2c 0x22 0x65 0x76 0x65 0x6e 0x74 0x22 0x3a 0x22 0 0 0 0 0) (i32.const 11))))
            (local.set $i (call $string (i32.add (local.get $i) (i32.const 11)) (local.get $end) (local.get $line)))
            (br_if $stop (i32.eqz (local.get $i)))))
        ;; After the last string's closing quote: `}` or `,"truncated":true}`, then `\n` or the end.
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (block $closed
          (if (i32.lt_u (local.get $i) (local.get $end))
            (then (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x7d))
              (then
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $closed)))))
          (br_if $stop (i32.eqz (call $match (local.get $i) (local.get $end)
            (v128.const i8x16 0x2c 0x22 0x74 0x72 0x75 0x6e 0x63 0x61 0x74 0x65 0x64 0x22 0x3a 0x74 0x72 0x75) (i32.const 16))))
          (br_if $stop (i32.eqz (call $match (i32.add (local.get $i) (i32.const 16)) (local.get $end)
            (v128.const i8x16 0x65 0x7d 0 0 0 0 0 0 0 0 0 0 0 0 0 0) (i32.const 2))))
          (local.set $i (i32.add (local.get $i) (i32.const 18))))
        (if (i32.lt_u (local.get $i) (local.get $end))
          (then (br_if $stop (i32.ne (i32.load8_u (local.get $i)) (i32.const 0x0a)))))
        ;; A whole record: its line is kept.
        (i32.store8 (local.get $line) (i32.const 0x0a))
        (global.set $lineStart (local.get $o))
        (local.set $o (i32.add (local.get $line) (i32.const 1)))
        (global.set $out (local.get $o))
        (global.set $idStart (local.get $id))
        (global.set $idEnd (local.get $idEnd))
        (global.set $lines (i32.add (global.get $lines) (i32.const 1)))
        (local.set $pos (i32.add (local.get $i) (i32.const 1)))
        (br $records)))
    (select (local.get $pos) (local.get $end) (i32.lt_u (local.get $pos) (local.get $end))))
)
