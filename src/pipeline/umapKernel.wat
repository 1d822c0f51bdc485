;; UMAP's layout epoch (umap.ts) in WebAssembly: the attraction along each sampled edge, its
;; negative samples drawn from seedrandom's Alea, and power() (power.ts) for every d^b. Exact, it
;; does the same float64 operations in the same order as the JavaScript loop it replaced, so the
;; layout is the same, bit for bit (test/umap.test.ts checks it against umap-js's loop in
;; JavaScript); WebAssembly rounds every operation as JavaScript does and never fuses a multiply
;; with an add. Approximate (above EXACT_LIMIT points), it takes d^b from tables made for the
;; layout's b (fixedPower) and measures an edge's negative samples from where its attraction left
;; the head, so that they no longer wait on one another.
;; Assembled by wabt like denseKernel.wat (esbuild.mjs writes dist/umapKernel.wasm; wasmModule.ts
;; assembles the text when running from src/). Addresses are byte offsets into the memory umap.ts
;; allocates the layout's arrays in, after the powers' tables, which it copies to offset 0.
(module
  (import "env" "memory" (memory 1))
  ;; power()'s way out for what its tables do not cover: Math.pow, as in power.ts.
  (import "env" "pow" (func $pow (param f64 f64) (result f64)))

  ;; power.ts's tables, in this order from offset 0: powerTables' unscale (2047 doubles),
  ;; inverseCentre (256), log2Centre (256), exp2Step (256), exp2Whole (2046), then
  ;; fixedPowerTables(b)'s (from byte 38888): wholePower (2047), centrePower (256), series (3).
  (global (export "tablesEnd") i32 (i32.const 57336))

  ;; Alea's state (seedrandom's lib/alea.js): c holds the integer part it keeps, as a double.
  (global $s0 (mut f64) (f64.const 0))
  (global $s1 (mut f64) (f64.const 0))
  (global $s2 (mut f64) (f64.const 0))
  (global $c (mut f64) (f64.const 0))

  (func (export "seed") (param $c f64) (param $s0 f64) (param $s1 f64) (param $s2 f64)
    (global.set $c (local.get $c))
    (global.set $s0 (local.get $s0))
    (global.set $s1 (local.get $s1))
    (global.set $s2 (local.get $s2)))

  ;; Alea's next(): t = 2091639 * s0 + c * 2^-32; s0 = s1; s1 = s2; c = t | 0; s2 = t - c.
  ;; t lies in [0, 2091640), where t | 0 is t truncated.
  (func $random (result f64)
    (local $t f64)
    (local.set $t (f64.add (f64.mul (f64.const 2091639) (global.get $s0))
      (f64.mul (global.get $c) (f64.const 0x1p-32))))
    (global.set $s0 (global.get $s1))
    (global.set $s1 (global.get $s2))
    (global.set $c (f64.trunc (local.get $t)))
    (global.set $s2 (f64.sub (local.get $t) (global.get $c)))
    (global.get $s2))

  ;; power(x, y) of power.ts, step for step.
  (func $power (param $x f64) (param $y f64) (result f64)
    (local $high i32) (local $e i32) (local $i i32) (local $r f64) (local $t f64) (local $n f64)
    (local $f f64) (local $j i32) (local $g f64)
    (local.set $high (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))
    (local.set $e (i32.shr_u (local.get $high) (i32.const 20)))
    (if (i32.or (i32.eqz (local.get $e)) (i32.ge_u (local.get $e) (i32.const 2047)))
      (then (return (call $pow (local.get $x) (local.get $y)))))
    (local.set $i (i32.and (i32.shr_u (local.get $high) (i32.const 12)) (i32.const 255)))
    ;; r = x * unscale[e] * inverseCentre[i] - 1
    (local.set $r (f64.sub
      (f64.mul
        (f64.mul (local.get $x) (f64.load (i32.shl (local.get $e) (i32.const 3))))
        (f64.load offset=16376 (i32.shl (local.get $i) (i32.const 3))))
      (f64.const 1)))
    ;; t = y * (e - 1023 + log2Centre[i] + r * (1 - r * (0.5 - r / 3)) * LOG2E)
    (local.set $t (f64.mul (local.get $y)
      (f64.add
        (f64.add
          (f64.convert_i32_s (i32.sub (local.get $e) (i32.const 1023)))
          (f64.load offset=18424 (i32.shl (local.get $i) (i32.const 3))))
        (f64.mul
          (f64.mul (local.get $r)
            (f64.sub (f64.const 1)
              (f64.mul (local.get $r) (f64.sub (f64.const 0.5) (f64.div (local.get $r) (f64.const 3))))))
          (f64.const 0x1.71547652b82fep0)))))
    (local.set $n (f64.floor (local.get $t)))
    (if (i32.or (f64.lt (local.get $n) (f64.const -1022)) (f64.gt (local.get $n) (f64.const 1023)))
      (then (return (call $pow (local.get $x) (local.get $y)))))
    ;; f = (t - n) * 256, j = f | 0, g = (f - j) * (LN2 / 256)
    (local.set $f (f64.mul (f64.sub (local.get $t) (local.get $n)) (f64.const 256)))
    (local.set $j (i32.trunc_f64_s (local.get $f)))
    (local.set $g (f64.mul (f64.sub (local.get $f) (f64.convert_i32_s (local.get $j))) (f64.const 0x1.62e42fefa39efp-9)))
    ;; exp2Whole[n + 1022] * exp2Step[j] * (1 + g * (1 + g * (0.5 + g / 6)))
    (f64.mul
      (f64.mul
        (f64.load offset=22520 (i32.shl (i32.add (i32.trunc_f64_s (local.get $n)) (i32.const 1022)) (i32.const 3)))
        (f64.load offset=20472 (i32.shl (local.get $j) (i32.const 3))))
      (f64.add (f64.const 1)
        (f64.mul (local.get $g)
          (f64.add (f64.const 1)
            (f64.mul (local.get $g) (f64.add (f64.const 0.5) (f64.div (local.get $g) (f64.const 6)))))))))

  ;; x^b for the layout's b, for normal x: x = 2^(e - 1023) * c * (1 + r), |r| < 1 / 512 (c the
  ;; centre of x's mantissa's interval, as in $power), so x^b = wholePower[e] * centrePower[i] *
  ;; (1 + r)^b, the last by its series to r^3. No division and no rounding to an integer: about
  ;; half $power's chain of dependent operations.
  (func $fixedPower (param $x f64) (param $b f64) (result f64)
    (local $high i32) (local $e i32) (local $i i32) (local $r f64)
    (local.set $high (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))
    (local.set $e (i32.shr_u (local.get $high) (i32.const 20)))
    (if (i32.or (i32.eqz (local.get $e)) (i32.ge_u (local.get $e) (i32.const 2047)))
      (then (return (call $pow (local.get $x) (local.get $b)))))
    (local.set $i (i32.and (i32.shr_u (local.get $high) (i32.const 12)) (i32.const 255)))
    (local.set $r (f64.sub
      (f64.mul
        (f64.mul (local.get $x) (f64.load (i32.shl (local.get $e) (i32.const 3))))
        (f64.load offset=16376 (i32.shl (local.get $i) (i32.const 3))))
      (f64.const 1)))
    (f64.mul
      (f64.mul
        (f64.load offset=38888 (i32.shl (local.get $e) (i32.const 3)))
        (f64.load offset=55264 (i32.shl (local.get $i) (i32.const 3))))
      (f64.add (f64.const 1)
        (f64.mul (local.get $r)
          (f64.add (f64.load (i32.const 57312))
            (f64.mul (local.get $r)
              (f64.add (f64.load (i32.const 57320)) (f64.mul (local.get $r) (f64.load (i32.const 57328))))))))))

  ;; d^b as the mode takes it.
  (func $powerOf (param $x f64) (param $b f64) (param $approximate i32) (result f64)
    (if (result f64) (local.get $approximate)
      (then (call $fixedPower (local.get $x) (local.get $b)))
      (else (call $power (local.get $x) (local.get $b)))))

  ;; x > 4 ? 4 : x < -4 ? -4 : x
  (func $clip (param $x f64) (result f64)
    (select (f64.const 4)
      (select (f64.const -4) (local.get $x) (f64.lt (local.get $x) (f64.const -4)))
      (f64.gt (local.get $x) (f64.const 4))))

  ;; One epoch over the `edges` sampled edges. emb: 2 doubles per point; head, tail: int32 per
  ;; edge; perSample, nextSample, nextNegative: a double per edge (an edge's epochs between negative
  ;; samples are perSample / 5, recomputed: the same double each time). approximate: 0 or 1 (above).
  (func (export "epoch") (param $epoch f64) (param $alpha f64) (param $edges i32) (param $n f64)
    (param $a f64) (param $b f64) (param $emb i32) (param $head i32) (param $tail i32)
    (param $perSample i32) (param $nextSample i32) (param $nextNegative i32) (param $approximate i32)
    (local $e i32) (local $p8 i32) (local $j i32) (local $k i32) (local $o i32)
    (local $dx f64) (local $dy f64) (local $d2 f64) (local $d2b f64) (local $attract f64)
    (local $gx f64) (local $gy f64) (local $per f64) (local $perNegative f64) (local $next f64)
    (local $negatives f64) (local $p f64) (local $ox f64) (local $oy f64) (local $o2 f64) (local $repulse f64)
    (local $attractScale f64) (local $twoB f64) (local $hx f64) (local $hy f64)
    ;; -2 * a * b and 2 * b, as the JavaScript computed them for every edge.
    (local.set $attractScale (f64.mul (f64.mul (f64.const -2) (local.get $a)) (local.get $b)))
    (local.set $twoB (f64.mul (f64.const 2) (local.get $b)))
    (local.set $e (i32.const 0))
    (block $done
      (loop $edge
        (br_if $done (i32.ge_u (local.get $e) (local.get $edges)))
        (local.set $p8 (i32.shl (local.get $e) (i32.const 3)))
        (local.set $next (f64.load (i32.add (local.get $nextSample) (local.get $p8))))
        (if (i32.eqz (f64.gt (local.get $next) (local.get $epoch)))
          (then
            ;; j, k: byte offsets of the head's and the tail's x.
            (local.set $j (i32.add (local.get $emb)
              (i32.shl (i32.load (i32.add (local.get $head) (i32.shl (local.get $e) (i32.const 2)))) (i32.const 4))))
            (local.set $k (i32.add (local.get $emb)
              (i32.shl (i32.load (i32.add (local.get $tail) (i32.shl (local.get $e) (i32.const 2)))) (i32.const 4))))
            (local.set $dx (f64.sub (f64.load (local.get $j)) (f64.load (local.get $k))))
            (local.set $dy (f64.sub (f64.load offset=8 (local.get $j)) (f64.load offset=8 (local.get $k))))
            (local.set $d2 (f64.add (f64.mul (local.get $dx) (local.get $dx)) (f64.mul (local.get $dy) (local.get $dy))))
            (local.set $attract (f64.const 0))
            (if (f64.gt (local.get $d2) (f64.const 0))
              (then
                (local.set $d2b (call $powerOf (local.get $d2) (local.get $b) (local.get $approximate)))
                (local.set $attract (f64.div
                  (f64.mul (local.get $attractScale) (f64.div (local.get $d2b) (local.get $d2)))
                  (f64.add (f64.mul (local.get $a) (local.get $d2b)) (f64.const 1))))))
            (local.set $gx (f64.mul (call $clip (f64.mul (local.get $attract) (local.get $dx))) (local.get $alpha)))
            (local.set $gy (f64.mul (call $clip (f64.mul (local.get $attract) (local.get $dy))) (local.get $alpha)))
            (f64.store (local.get $j) (f64.add (f64.load (local.get $j)) (local.get $gx)))
            (f64.store offset=8 (local.get $j) (f64.add (f64.load offset=8 (local.get $j)) (local.get $gy)))
            (f64.store (local.get $k) (f64.sub (f64.load (local.get $k)) (local.get $gx)))
            (f64.store offset=8 (local.get $k) (f64.sub (f64.load offset=8 (local.get $k)) (local.get $gy)))
            (local.set $per (f64.load (i32.add (local.get $perSample) (local.get $p8))))
            (f64.store (i32.add (local.get $nextSample) (local.get $p8)) (f64.add (local.get $next) (local.get $per)))
            (local.set $perNegative (f64.div (local.get $per) (f64.const 5)))
            (local.set $next (f64.load (i32.add (local.get $nextNegative) (local.get $p8))))
            (local.set $negatives (f64.floor (f64.div (f64.sub (local.get $epoch) (local.get $next)) (local.get $perNegative))))
            ;; Where the head is after its attraction, for the approximate negative samples.
            (local.set $hx (f64.load (local.get $j)))
            (local.set $hy (f64.load offset=8 (local.get $j)))
            (local.set $p (f64.const 0))
            (block $negatives_done
              (loop $negative
                (br_if $negatives_done (i32.eqz (f64.lt (local.get $p) (local.get $negatives))))
                ;; o = Math.floor(random() * n) * 2, as a byte offset.
                (local.set $o (i32.add (local.get $emb)
                  (i32.shl (i32.trunc_f64_u (f64.floor (f64.mul (call $random) (local.get $n)))) (i32.const 4))))
                ;; Exact: the head where the previous sample left it. The head drawn as its own
                ;; sample is at no distance from itself (x - x = +0 either way).
                (if (i32.eqz (local.get $approximate))
                  (then
                    (local.set $hx (f64.load (local.get $j)))
                    (local.set $hy (f64.load offset=8 (local.get $j)))))
                (local.set $ox (select (f64.const 0) (f64.sub (local.get $hx) (f64.load (local.get $o))) (i32.eq (local.get $j) (local.get $o))))
                (local.set $oy (select (f64.const 0) (f64.sub (local.get $hy) (f64.load offset=8 (local.get $o))) (i32.eq (local.get $j) (local.get $o))))
                (local.set $o2 (f64.add (f64.mul (local.get $ox) (local.get $ox)) (f64.mul (local.get $oy) (local.get $oy))))
                (if (f64.gt (local.get $o2) (f64.const 0))
                  (then
                    (local.set $repulse (f64.div (local.get $twoB)
                      (f64.mul
                        (f64.add (f64.const 0x1.0624dd2f1a9fcp-10) (local.get $o2))
                        (f64.add (f64.mul (local.get $a) (call $powerOf (local.get $o2) (local.get $b) (local.get $approximate))) (f64.const 1)))))
                    (f64.store (local.get $j) (f64.add (f64.load (local.get $j))
                      (f64.mul (call $clip (f64.mul (local.get $repulse) (local.get $ox))) (local.get $alpha))))
                    (f64.store offset=8 (local.get $j) (f64.add (f64.load offset=8 (local.get $j))
                      (f64.mul (call $clip (f64.mul (local.get $repulse) (local.get $oy))) (local.get $alpha)))))
                  (else
                    (if (i32.ne (local.get $j) (local.get $o))
                      (then
                        (f64.store (local.get $j) (f64.add (f64.load (local.get $j)) (f64.mul (f64.const 4) (local.get $alpha))))
                        (f64.store offset=8 (local.get $j)
                          (f64.add (f64.load offset=8 (local.get $j)) (f64.mul (f64.const 4) (local.get $alpha))))))))
                (local.set $p (f64.add (local.get $p) (f64.const 1)))
                (br $negative)))
            (f64.store (i32.add (local.get $nextNegative) (local.get $p8))
              (f64.add (local.get $next) (f64.mul (local.get $negatives) (local.get $perNegative))))))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $edge)))))
