;; The fused dense trainer's inner loops (denseTrainer.ts), in WebAssembly with two float64 lanes.
;; The trainer computes in float64 from float32 values and stores float32; these loops do the same
;; operations in the same order, only two output units (or two images) at a time, one per lane:
;; a lane's sum is the scalar loop's, so the results are the same, bit for bit. A float32 product
;; is exact in float64, and nothing here fuses a multiply with an add.
;; Assembled by wabt (a devDependency): esbuild.mjs writes dist/denseKernel.wasm, and
;; denseKernel.ts assembles this text itself when it runs from src/ (tests and scripts).
;; Addresses are byte offsets into the memory the trainer allocates its arrays in.
(module
  (import "env" "memory" (memory 1))

  ;; sums[0..units) += value[e] * matrix[index[e]][0..units) for the entries e in [from, to), four
  ;; at a time as sum + (((a*x + b*y) + c*z) + d*w), then one at a time as sum + a*x.
  ;; sums: float64; index: int32; value and matrix (rows of `units`): float32.
  (func $accumulate (param $sums i32) (param $index i32) (param $value i32) (param $from i32) (param $to i32)
    (param $matrix i32) (param $units i32)
    (local $k i32) (local $j i32) (local $stride i32) (local $even i32) (local $p i32) (local $q i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $t v128)
    (local $wa i32) (local $wb i32) (local $wc i32) (local $wd i32)
    (local.set $stride (i32.shl (local.get $units) (i32.const 2)))
    (local.set $even (i32.and (local.get $units) (i32.const -2)))
    (local.set $k (local.get $from))
    (block $fours_done
      (loop $fours
        (br_if $fours_done (i32.ge_s (i32.add (local.get $k) (i32.const 3)) (local.get $to)))
        (local.set $p (i32.add (local.get $value) (i32.shl (local.get $k) (i32.const 2))))
        (local.set $a (f64x2.splat (f64.promote_f32 (f32.load (local.get $p)))))
        (local.set $b (f64x2.splat (f64.promote_f32 (f32.load offset=4 (local.get $p)))))
        (local.set $c (f64x2.splat (f64.promote_f32 (f32.load offset=8 (local.get $p)))))
        (local.set $d (f64x2.splat (f64.promote_f32 (f32.load offset=12 (local.get $p)))))
        (local.set $p (i32.add (local.get $index) (i32.shl (local.get $k) (i32.const 2))))
        (local.set $wa (i32.add (local.get $matrix) (i32.mul (i32.load (local.get $p)) (local.get $stride))))
        (local.set $wb (i32.add (local.get $matrix) (i32.mul (i32.load offset=4 (local.get $p)) (local.get $stride))))
        (local.set $wc (i32.add (local.get $matrix) (i32.mul (i32.load offset=8 (local.get $p)) (local.get $stride))))
        (local.set $wd (i32.add (local.get $matrix) (i32.mul (i32.load offset=12 (local.get $p)) (local.get $stride))))
        (local.set $j (i32.const 0))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.ge_u (local.get $j) (local.get $even)))
            (local.set $p (i32.shl (local.get $j) (i32.const 2)))
            (local.set $t (f64x2.mul (local.get $a) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $wa) (local.get $p))))))
            (local.set $t (f64x2.add (local.get $t)
              (f64x2.mul (local.get $b) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $wb) (local.get $p)))))))
            (local.set $t (f64x2.add (local.get $t)
              (f64x2.mul (local.get $c) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $wc) (local.get $p)))))))
            (local.set $t (f64x2.add (local.get $t)
              (f64x2.mul (local.get $d) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $wd) (local.get $p)))))))
            (local.set $q (i32.add (local.get $sums) (i32.shl (local.get $j) (i32.const 3))))
            (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (local.get $t)))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $pairs)))
        ;; An odd number of units: the last in lane 0 alone.
        (if (i32.lt_u (local.get $j) (local.get $units))
          (then
            (local.set $p (i32.shl (local.get $j) (i32.const 2)))
            (local.set $t (f64x2.mul (local.get $a) (f64x2.promote_low_f32x4 (v128.load32_zero (i32.add (local.get $wa) (local.get $p))))))
            (local.set $t (f64x2.add (local.get $t)
              (f64x2.mul (local.get $b) (f64x2.promote_low_f32x4 (v128.load32_zero (i32.add (local.get $wb) (local.get $p)))))))
            (local.set $t (f64x2.add (local.get $t)
              (f64x2.mul (local.get $c) (f64x2.promote_low_f32x4 (v128.load32_zero (i32.add (local.get $wc) (local.get $p)))))))
            (local.set $t (f64x2.add (local.get $t)
              (f64x2.mul (local.get $d) (f64x2.promote_low_f32x4 (v128.load32_zero (i32.add (local.get $wd) (local.get $p)))))))
            (local.set $q (i32.add (local.get $sums) (i32.shl (local.get $j) (i32.const 3))))
            (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (f64x2.extract_lane 0 (local.get $t))))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $fours)))
    (block $ones_done
      (loop $ones
        (br_if $ones_done (i32.ge_s (local.get $k) (local.get $to)))
        (local.set $a (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $value) (i32.shl (local.get $k) (i32.const 2)))))))
        (local.set $wa (i32.add (local.get $matrix)
          (i32.mul (i32.load (i32.add (local.get $index) (i32.shl (local.get $k) (i32.const 2)))) (local.get $stride))))
        (local.set $j (i32.const 0))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.ge_u (local.get $j) (local.get $even)))
            (local.set $q (i32.add (local.get $sums) (i32.shl (local.get $j) (i32.const 3))))
            (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q))
              (f64x2.mul (local.get $a)
                (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $wa) (i32.shl (local.get $j) (i32.const 2))))))))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $pairs)))
        (if (i32.lt_u (local.get $j) (local.get $units))
          (then
            (local.set $q (i32.add (local.get $sums) (i32.shl (local.get $j) (i32.const 3))))
            (f64.store (local.get $q) (f64.add (f64.load (local.get $q))
              (f64.mul (f64x2.extract_lane 0 (local.get $a))
                (f64.promote_f32 (f32.load (i32.add (local.get $wa) (i32.shl (local.get $j) (i32.const 2))))))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $ones))))

  ;; A batch's inputs to a layer by row, non-zeros only: row s of source (n rows of width float32)
  ;; gives its non-zero values and their columns at rowStart[s] .. rowStart[s + 1] - 1 in index and value.
  (func (export "sparseRows") (param $source i32) (param $n i32) (param $width i32)
    (param $rowStart i32) (param $index i32) (param $value i32)
    (local $s i32) (local $i i32) (local $k i32) (local $x f32)
    (i32.store (local.get $rowStart) (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $s) (local.get $n)))
        (local.set $i (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $i) (local.get $width)))
            (local.set $x (f32.load (local.get $source)))
            (if (f32.ne (local.get $x) (f32.const 0))
              (then
                (i32.store (i32.add (local.get $index) (i32.shl (local.get $k) (i32.const 2))) (local.get $i))
                (f32.store (i32.add (local.get $value) (i32.shl (local.get $k) (i32.const 2))) (local.get $x))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))))
            (local.set $source (i32.add (local.get $source) (i32.const 4)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $cols)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (i32.store (i32.add (local.get $rowStart) (i32.shl (local.get $s) (i32.const 2))) (local.get $k))
        (br $rows))))

  ;; The first layer's batch by row, from every image's non-zero inputs found once: row s is image
  ;; images[s]'s entries xStart[images[s]] .. xStart[images[s] + 1] - 1 of xIndex (uint16, or int32
  ;; when $wide) and xValue (float32), copied to rowStart, index (int32) and value.
  (func (export "gatherRows") (param $images i32) (param $n i32) (param $xStart i32) (param $xIndex i32) (param $xValue i32)
    (param $wide i32) (param $rowStart i32) (param $index i32) (param $value i32)
    (local $s i32) (local $from i32) (local $to i32) (local $k i32) (local $p i32) (local $touch i32)
    ;; Every row's first entries read before any is copied: the images lie anywhere in tens of
    ;; megabytes, and reading them at once lets their cache misses overlap rather than wait in turn.
    (block $touched
      (loop $touch_rows
        (br_if $touched (i32.ge_u (local.get $s) (local.get $n)))
        (local.set $p (i32.add (local.get $xStart)
          (i32.shl (i32.load (i32.add (local.get $images) (i32.shl (local.get $s) (i32.const 2)))) (i32.const 2))))
        (local.set $from (i32.load (local.get $p)))
        (local.set $to (i32.load offset=4 (local.get $p)))
        ;; One read per 64-byte line of the row's values (16 floats), and of its indices every 32 (a line of
        ;; uint16; of int32 indices, wide ones, every other line).
        (block $lines_done
          (loop $lines
            (br_if $lines_done (i32.ge_u (local.get $from) (local.get $to)))
            (local.set $touch (i32.add (local.get $touch) (i32.load (i32.add (local.get $xValue) (i32.shl (local.get $from) (i32.const 2))))))
            (if (i32.eqz (i32.and (local.get $from) (i32.const 16)))
              (then (local.set $touch (i32.add (local.get $touch)
                (i32.load16_u (i32.add (local.get $xIndex) (i32.shl (local.get $from) (select (i32.const 2) (i32.const 1) (local.get $wide)))))))))
            (local.set $from (i32.add (local.get $from) (i32.const 16)))
            (br $lines)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $touch_rows)))
    (local.set $s (i32.const 0))
    ;; The sum of what was read, stored where rowStart[0] is about to be: a read nothing uses could be left out.
    (i32.store (local.get $rowStart) (local.get $touch))
    (i32.store (local.get $rowStart) (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $s) (local.get $n)))
        (local.set $p (i32.add (local.get $xStart)
          (i32.shl (i32.load (i32.add (local.get $images) (i32.shl (local.get $s) (i32.const 2)))) (i32.const 2))))
        (local.set $from (i32.load (local.get $p)))
        (local.set $to (i32.load offset=4 (local.get $p)))
        (memory.copy (i32.add (local.get $value) (i32.shl (local.get $k) (i32.const 2)))
          (i32.add (local.get $xValue) (i32.shl (local.get $from) (i32.const 2)))
          (i32.shl (i32.sub (local.get $to) (local.get $from)) (i32.const 2)))
        (if (local.get $wide)
          (then
            (memory.copy (i32.add (local.get $index) (i32.shl (local.get $k) (i32.const 2)))
              (i32.add (local.get $xIndex) (i32.shl (local.get $from) (i32.const 2)))
              (i32.shl (i32.sub (local.get $to) (local.get $from)) (i32.const 2)))
            (local.set $k (i32.add (local.get $k) (i32.sub (local.get $to) (local.get $from)))))
          (else
            (block $entries_done
              (loop $entries
                (br_if $entries_done (i32.ge_u (local.get $from) (local.get $to)))
                (i32.store (i32.add (local.get $index) (i32.shl (local.get $k) (i32.const 2)))
                  (i32.load16_u (i32.add (local.get $xIndex) (i32.shl (local.get $from) (i32.const 1)))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (local.set $from (i32.add (local.get $from) (i32.const 1)))
                (br $entries)))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (i32.store (i32.add (local.get $rowStart) (i32.shl (local.get $s) (i32.const 2))) (local.get $k))
        (br $rows))))

  ;; The batch by column (a counting sort of its entries by input, stable in the rows): input i's
  ;; rows and values at colStart[i] .. colStart[i + 1] - 1 in colRow and colValue.
  (func (export "byColumn") (param $rowStart i32) (param $index i32) (param $value i32) (param $rows i32)
    (param $width i32) (param $colStart i32) (param $colRow i32) (param $colValue i32)
    (local $i i32) (local $k i32) (local $end i32) (local $s i32) (local $p i32) (local $at i32) (local $sum i32)
    (memory.fill (local.get $colStart) (i32.const 0) (i32.shl (i32.add (local.get $width) (i32.const 1)) (i32.const 2)))
    (local.set $end (i32.load (i32.add (local.get $rowStart) (i32.shl (local.get $rows) (i32.const 2)))))
    ;; Counts in colStart[i + 1], then their running sums: colStart[i] is where input i's entries start.
    (block $count_done
      (loop $count
        (br_if $count_done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $p (i32.add (local.get $colStart)
          (i32.shl (i32.load (i32.add (local.get $index) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 2))))
        (i32.store offset=4 (local.get $p) (i32.add (i32.load offset=4 (local.get $p)) (i32.const 1)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $count)))
    (block $sum_done
      (loop $sums
        (br_if $sum_done (i32.ge_u (local.get $i) (local.get $width)))
        (local.set $p (i32.add (local.get $colStart) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $sum (i32.add (local.get $sum) (i32.load offset=4 (local.get $p))))
        (i32.store offset=4 (local.get $p) (local.get $sum))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $sums)))
    ;; Each entry to its input's next place; that moves each start to the next input's: shifted back after.
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_u (local.get $s) (local.get $rows)))
        (local.set $k (i32.load (i32.add (local.get $rowStart) (i32.shl (local.get $s) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $rowStart) (i32.shl (local.get $s) (i32.const 2)))))
        (block $entries_done
          (loop $entries
            (br_if $entries_done (i32.ge_u (local.get $k) (local.get $end)))
            (local.set $p (i32.add (local.get $colStart)
              (i32.shl (i32.load (i32.add (local.get $index) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 2))))
            (local.set $at (i32.load (local.get $p)))
            (i32.store (local.get $p) (i32.add (local.get $at) (i32.const 1)))
            (i32.store (i32.add (local.get $colRow) (i32.shl (local.get $at) (i32.const 2))) (local.get $s))
            (f32.store (i32.add (local.get $colValue) (i32.shl (local.get $at) (i32.const 2)))
              (f32.load (i32.add (local.get $value) (i32.shl (local.get $k) (i32.const 2)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $entries)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $rows_loop)))
    (memory.copy (i32.add (local.get $colStart) (i32.const 4)) (local.get $colStart) (i32.shl (local.get $width) (i32.const 2)))
    (i32.store (local.get $colStart) (i32.const 0)))

  ;; The bias's gradient: grad[j] = the sum over the n images, in order, of delta[s][j] (float64 sums of float32 deltas).
  (func (export "biasGradient") (param $delta i32) (param $n i32) (param $units i32) (param $grad i32)
    (local $s i32) (local $j i32) (local $p i32)
    (memory.fill (local.get $grad) (i32.const 0) (i32.shl (local.get $units) (i32.const 3)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $s) (local.get $n)))
        (local.set $j (i32.const 0))
        (block $units_done
          (loop $units_loop
            (br_if $units_done (i32.ge_u (local.get $j) (local.get $units)))
            (local.set $p (i32.add (local.get $grad) (i32.shl (local.get $j) (i32.const 3))))
            (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (f64.promote_f32 (f32.load (local.get $delta)))))
            (local.set $delta (i32.add (local.get $delta) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $units_loop)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $rows))))

  ;; A layer's pre-activations for n images: out[s] = bias + the image's non-zero inputs (rowStart,
  ;; index, value: a batch by row) times the kernel (inputs x units), summed in float64 in `sums`.
  (func (export "timesKernel") (param $rowStart i32) (param $index i32) (param $value i32) (param $n i32)
    (param $kernel i32) (param $bias i32) (param $out i32) (param $units i32) (param $sums i32)
    (local $s i32) (local $j i32) (local $p i32)
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $s) (local.get $n)))
        (local.set $j (i32.const 0))
        (block $init_done
          (loop $init
            (br_if $init_done (i32.ge_u (local.get $j) (local.get $units)))
            (f64.store (i32.add (local.get $sums) (i32.shl (local.get $j) (i32.const 3)))
              (f64.promote_f32 (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $init)))
        (local.set $p (i32.add (local.get $rowStart) (i32.shl (local.get $s) (i32.const 2))))
        (call $accumulate (local.get $sums) (local.get $index) (local.get $value)
          (i32.load (local.get $p)) (i32.load offset=4 (local.get $p)) (local.get $kernel) (local.get $units))
        (local.set $p (i32.add (local.get $out) (i32.shl (i32.mul (local.get $s) (local.get $units)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $store_done
          (loop $store
            (br_if $store_done (i32.ge_u (local.get $j) (local.get $units)))
            (f32.store (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))
              (f32.demote_f64 (f64.load (i32.add (local.get $sums) (i32.shl (local.get $j) (i32.const 3))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $store)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $rows))))

  ;; tf.train.adam's step on param[0..length) (float32) with the gradient grad[0..length) (float64)
  ;; and the moments m, v (float32): m' = beta1 m + (1 - beta1) g, v' = beta2 v + (1 - beta2) g g,
  ;; param += rate m' / (sqrt(v' correction2) + epsilon), m' and v' unrounded in the last.
  (func $adam (export "adam") (param $param i32) (param $grad i32) (param $m i32) (param $v i32) (param $length i32)
    (param $beta1 f64) (param $beta2 f64) (param $rate f64) (param $correction2 f64) (param $epsilon f64)
    (local $j i32) (local $even i32) (local $p i32) (local $g v128) (local $mi v128) (local $vi v128)
    (local $b1 v128) (local $b2 v128) (local $c1 v128) (local $c2 v128) (local $r v128) (local $k v128) (local $e v128)
    (local $gs f64) (local $ms f64) (local $vs f64)
    (local.set $b1 (f64x2.splat (local.get $beta1)))
    (local.set $b2 (f64x2.splat (local.get $beta2)))
    (local.set $c1 (f64x2.splat (f64.sub (f64.const 1) (local.get $beta1))))
    (local.set $c2 (f64x2.splat (f64.sub (f64.const 1) (local.get $beta2))))
    (local.set $r (f64x2.splat (local.get $rate)))
    (local.set $k (f64x2.splat (local.get $correction2)))
    (local.set $e (f64x2.splat (local.get $epsilon)))
    (local.set $even (i32.and (local.get $length) (i32.const -2)))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.ge_u (local.get $j) (local.get $even)))
        (local.set $g (v128.load (i32.add (local.get $grad) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $p (i32.shl (local.get $j) (i32.const 2)))
        (local.set $mi (f64x2.add
          (f64x2.mul (local.get $b1) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $m) (local.get $p)))))
          (f64x2.mul (local.get $c1) (local.get $g))))
        (local.set $vi (f64x2.add
          (f64x2.mul (local.get $b2) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $v) (local.get $p)))))
          (f64x2.mul (f64x2.mul (local.get $c2) (local.get $g)) (local.get $g))))
        (v128.store64_lane 0 (i32.add (local.get $m) (local.get $p)) (f32x4.demote_f64x2_zero (local.get $mi)))
        (v128.store64_lane 0 (i32.add (local.get $v) (local.get $p)) (f32x4.demote_f64x2_zero (local.get $vi)))
        (v128.store64_lane 0 (i32.add (local.get $param) (local.get $p))
          (f32x4.demote_f64x2_zero
            (f64x2.add
              (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $param) (local.get $p))))
              (f64x2.div
                (f64x2.mul (local.get $r) (local.get $mi))
                (f64x2.add (f64x2.sqrt (f64x2.mul (local.get $vi) (local.get $k))) (local.get $e))))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_u (local.get $j) (local.get $length))
      (then
        (local.set $gs (f64.load (i32.add (local.get $grad) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $p (i32.shl (local.get $j) (i32.const 2)))
        (local.set $ms (f64.add
          (f64.mul (local.get $beta1) (f64.promote_f32 (f32.load (i32.add (local.get $m) (local.get $p)))))
          (f64.mul (f64.sub (f64.const 1) (local.get $beta1)) (local.get $gs))))
        (local.set $vs (f64.add
          (f64.mul (local.get $beta2) (f64.promote_f32 (f32.load (i32.add (local.get $v) (local.get $p)))))
          (f64.mul (f64.mul (f64.sub (f64.const 1) (local.get $beta2)) (local.get $gs)) (local.get $gs))))
        (f32.store (i32.add (local.get $m) (local.get $p)) (f32.demote_f64 (local.get $ms)))
        (f32.store (i32.add (local.get $v) (local.get $p)) (f32.demote_f64 (local.get $vs)))
        (f32.store (i32.add (local.get $param) (local.get $p))
          (f32.demote_f64
            (f64.add
              (f64.promote_f32 (f32.load (i32.add (local.get $param) (local.get $p))))
              (f64.div
                (f64.mul (local.get $rate) (local.get $ms))
                (f64.add (f64.sqrt (f64.mul (local.get $vs) (local.get $correction2))) (local.get $epsilon)))))))))

  ;; The kernel's gradient row by row (row i: input i's non-zero values in the batch, by column:
  ;; colStart, colRow, colValue, times those images' deltas), then Adam's step on the row. A row
  ;; whose input has never been non-zero has zero moments and a zero gradient: Adam leaves it.
  (func (export "kernelStep") (param $colStart i32) (param $colRow i32) (param $colValue i32) (param $inputs i32)
    (param $seen i32) (param $delta i32) (param $units i32) (param $kernel i32) (param $m i32) (param $v i32)
    (param $sums i32) (param $beta1 f64) (param $beta2 f64) (param $rate f64) (param $correction2 f64) (param $epsilon f64)
    (local $i i32) (local $from i32) (local $to i32) (local $p i32) (local $row i32)
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $inputs)))
        (local.set $p (i32.add (local.get $colStart) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $from (i32.load (local.get $p)))
        (local.set $to (i32.load offset=4 (local.get $p)))
        (if (i32.or (i32.ne (local.get $from) (local.get $to)) (i32.load8_u (i32.add (local.get $seen) (local.get $i))))
          (then
            (i32.store8 (i32.add (local.get $seen) (local.get $i)) (i32.const 1))
            (memory.fill (local.get $sums) (i32.const 0) (i32.shl (local.get $units) (i32.const 3)))
            (call $accumulate (local.get $sums) (local.get $colRow) (local.get $colValue) (local.get $from) (local.get $to)
              (local.get $delta) (local.get $units))
            (local.set $row (i32.shl (i32.mul (local.get $i) (local.get $units)) (i32.const 2)))
            (call $adam (i32.add (local.get $kernel) (local.get $row)) (local.get $sums)
              (i32.add (local.get $m) (local.get $row)) (i32.add (local.get $v) (local.get $row)) (local.get $units)
              (local.get $beta1) (local.get $beta2) (local.get $rate) (local.get $correction2) (local.get $epsilon))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; The derivative of a hidden activation from its output y (codes: the order of HIDDEN_ACTIVATIONS in denseTrainer.ts).
  (func $derivative (param $activation i32) (param $y f64) (result f64)
    (block $linear
      (block $selu
        (block $elu
          (block $sigmoid
            (block $tanh
              (block $relu
                (br_table $relu $tanh $sigmoid $elu $selu $linear (local.get $activation)))
              (return (select (f64.const 1) (f64.const 0) (f64.gt (local.get $y) (f64.const 0)))))
            (return (f64.sub (f64.const 1) (f64.mul (local.get $y) (local.get $y)))))
          (return (f64.mul (local.get $y) (f64.sub (f64.const 1) (local.get $y)))))
        (return (select (f64.const 1) (f64.add (local.get $y) (f64.const 1)) (f64.ge (local.get $y) (f64.const 0)))))
      ;; TF.js's selu constants (tfjs-core's selu_util), as in denseTrainer.ts.
      (return (select (f64.const 1.0507009873554805) (f64.add (local.get $y) (f64.const 1.7580993408473768))
        (f64.gt (local.get $y) (f64.const 0)))))
    (f64.const 1))

;; below's delta at a unit: zero where the activation's slope is, else the back-propagated sum
  ;; times the slope (ReLU's slope is 1 or 0: the sum itself, or 0).
  (func $belowDelta (param $activation i32) (param $y f32) (param $back f64) (result f32)
    (local $slope f64)
    (if (i32.eqz (local.get $activation))
      (then (return (select (f32.demote_f64 (local.get $back)) (f32.const 0) (f32.gt (local.get $y) (f32.const 0))))))
    (local.set $slope (call $derivative (local.get $activation) (f64.promote_f32 (local.get $y))))
    (if (result f32) (f64.eq (local.get $slope) (f64.const 0))
      (then (f32.const 0))
      (else (f32.demote_f64 (f64.mul (local.get $back) (local.get $slope))))))

  ;; Stores below's deltas at input i for images s and s + 1 (acc's two lanes), at byte p = (s inputs + i) 4.
  (func $storeBelow (param $belowOut i32) (param $belowDeltaAt i32) (param $inputs i32) (param $activation i32)
    (param $p i32) (param $acc v128)
    (f32.store (i32.add (local.get $belowDeltaAt) (local.get $p))
      (call $belowDelta (local.get $activation) (f32.load (i32.add (local.get $belowOut) (local.get $p)))
        (f64x2.extract_lane 0 (local.get $acc))))
    (local.set $p (i32.add (local.get $p) (i32.shl (local.get $inputs) (i32.const 2))))
    (f32.store (i32.add (local.get $belowDeltaAt) (local.get $p))
      (call $belowDelta (local.get $activation) (f32.load (i32.add (local.get $belowOut) (local.get $p)))
        (f64x2.extract_lane 1 (local.get $acc)))))

  ;; The gradient at the layer below's pre-activation, from this layer's delta (n x units) and its
  ;; kernel before the step (inputs x units): for image s and input i, the sum over j in order of
  ;; delta[s][j] kernel[i][j], times the activation's slope there. Two images a time, one per lane,
  ;; from the deltas transposed into deltaT (units x an even n; an odd n's last lane is a spare row
  ;; that the trainer allocates and never reads), and two inputs at a time, each its own sum.
  (func (export "deltaBelow") (param $delta i32) (param $deltaT i32) (param $n i32) (param $units i32) (param $kernel i32)
    (param $belowOut i32) (param $belowDeltaAt i32) (param $inputs i32) (param $activation i32)
    (local $even i32) (local $s i32) (local $i i32) (local $j i32) (local $w i32) (local $w1 i32) (local $column i32)
    (local $acc v128) (local $acc1 v128) (local $d v128) (local $p i32) (local $q i32)
    (local.set $even (i32.and (i32.add (local.get $n) (i32.const 1)) (i32.const -2)))
    (block $t_done
      (loop $t
        (br_if $t_done (i32.ge_u (local.get $j) (local.get $units)))
        (local.set $s (i32.const 0))
        (block $ts_done
          (loop $ts
            (br_if $ts_done (i32.ge_u (local.get $s) (local.get $even)))
            (f32.store (i32.add (local.get $deltaT) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $even)) (local.get $s)) (i32.const 2)))
              (if (result f32) (i32.lt_u (local.get $s) (local.get $n))
                (then (f32.load (i32.add (local.get $delta)
                  (i32.shl (i32.add (i32.mul (local.get $s) (local.get $units)) (local.get $j)) (i32.const 2)))))
                (else (f32.const 0))))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $ts)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $t)))
    (local.set $s (i32.const 0))
    (block $s_done
      (loop $images
        (br_if $s_done (i32.ge_u (local.get $s) (local.get $even)))
        (local.set $column (i32.add (local.get $deltaT) (i32.shl (local.get $s) (i32.const 2))))
        (local.set $i (i32.const 0))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $inputs)))
            (local.set $w (i32.add (local.get $kernel) (i32.shl (i32.mul (local.get $i) (local.get $units)) (i32.const 2))))
            (local.set $w1 (i32.add (local.get $w) (i32.shl (local.get $units) (i32.const 2))))
            (local.set $acc (f64x2.splat (f64.const 0)))
            (local.set $acc1 (f64x2.splat (f64.const 0)))
            (local.set $j (i32.const 0))
            (block $j_done
              (loop $j_loop
                (br_if $j_done (i32.ge_u (local.get $j) (local.get $units)))
                (local.set $d (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $column)
                  (i32.shl (i32.mul (local.get $j) (local.get $even)) (i32.const 2))))))
                (local.set $p (i32.shl (local.get $j) (i32.const 2)))
                (local.set $acc (f64x2.add (local.get $acc)
                  (f64x2.mul (local.get $d) (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $w) (local.get $p))))))))
                (local.set $acc1 (f64x2.add (local.get $acc1)
                  (f64x2.mul (local.get $d) (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $w1) (local.get $p))))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $j_loop)))
            (local.set $p (i32.shl (i32.add (i32.mul (local.get $s) (local.get $inputs)) (local.get $i)) (i32.const 2)))
            (if (i32.eqz (local.get $activation))
              (then
                ;; ReLU's inline, without a call per value: image s's two inputs from the sums' lanes 0,
                ;; image s + 1's from their lanes 1; each sum rounded to float32, or +0 (all bits clear)
                ;; where the output is not above 0, as storeBelow's select gives.
                (v128.store64_lane 0 (i32.add (local.get $belowDeltaAt) (local.get $p))
                  (v128.and
                    (f32x4.demote_f64x2_zero
                      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $acc) (local.get $acc1)))
                    (f32x4.gt (v128.load64_zero (i32.add (local.get $belowOut) (local.get $p))) (v128.const f32x4 0 0 0 0))))
                (local.set $q (i32.add (local.get $p) (i32.shl (local.get $inputs) (i32.const 2))))
                (v128.store64_lane 0 (i32.add (local.get $belowDeltaAt) (local.get $q))
                  (v128.and
                    (f32x4.demote_f64x2_zero
                      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $acc) (local.get $acc1)))
                    (f32x4.gt (v128.load64_zero (i32.add (local.get $belowOut) (local.get $q))) (v128.const f32x4 0 0 0 0)))))
              (else
                (call $storeBelow (local.get $belowOut) (local.get $belowDeltaAt) (local.get $inputs) (local.get $activation)
                  (local.get $p) (local.get $acc))
                (call $storeBelow (local.get $belowOut) (local.get $belowDeltaAt) (local.get $inputs) (local.get $activation)
                  (i32.add (local.get $p) (i32.const 4)) (local.get $acc1))))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $pairs)))
        ;; An odd number of inputs: the last alone.
        (if (i32.lt_u (local.get $i) (local.get $inputs))
          (then
            (local.set $w (i32.add (local.get $kernel) (i32.shl (i32.mul (local.get $i) (local.get $units)) (i32.const 2))))
            (local.set $acc (f64x2.splat (f64.const 0)))
            (local.set $j (i32.const 0))
            (block $j_done
              (loop $j_loop
                (br_if $j_done (i32.ge_u (local.get $j) (local.get $units)))
                (local.set $acc (f64x2.add (local.get $acc)
                  (f64x2.mul
                    (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $column)
                      (i32.shl (i32.mul (local.get $j) (local.get $even)) (i32.const 2)))))
                    (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2)))))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $j_loop)))
            (call $storeBelow (local.get $belowOut) (local.get $belowDeltaAt) (local.get $inputs) (local.get $activation)
              (i32.shl (i32.add (i32.mul (local.get $s) (local.get $inputs)) (local.get $i)) (i32.const 2)) (local.get $acc))))
        (local.set $s (i32.add (local.get $s) (i32.const 2)))
        (br $images)))))
