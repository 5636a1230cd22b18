;; The Reverb's feedback delay network per chunk, two lines per f64x2 vector (WebAssembly SIMD).
;;
;; The same arithmetic, in the same order, as the JavaScript kernels readLines4 and
;; hadamardOuterWrite in reverb.ts: every lane operation is the IEEE double operation the
;; JavaScript performs, so both give the same bits. Built into reverb-kernel.ts by
;; `npm run build:wasm` (wabt's wat2wasm); test/space/reverb-kernel.test.ts checks that the
;; embedded bytes are this file's.
;;
;; Memory (byte offsets passed in): the 16 lines (line i at lines + i·size·8, a ring of `size`
;; doubles, `mask` = size − 1), the filter coefficients (5 doubles per line: b0 b1 b2 a1 a2, the
;; matrix's ¼ folded in), the filter states (4 doubles per line: x1 x2 y1 y2), the line lengths
;; (int32), the input gains (16 doubles), the chunk's input u and the two taps (k doubles each).
(module
  (memory (import "env" "memory") 1)

  ;; Lines g … g+3: read, absorption filter, the 4-point transform of the outputs clamped to
  ;; ±2500 and set to 0 below 1e-30 (the states keep the unclamped outputs): [a+b+c+d, a−b+c−d, a+b−c−d, a−b−c+d], written at the write index. Lanes: (a, c)
  ;; and (b, d).
  (func $group (param $lines i32) (param $size i32) (param $mask i32) (param $w i32) (param $k i32)
    (param $g i32) (param $coef i32) (param $fst i32) (param $d i32)
    (local $j i32) (local $la i32) (local $lb i32) (local $lc i32) (local $ld i32)
    (local $ra i32) (local $rb i32) (local $rc i32) (local $rd i32) (local $p i32)
    (local $ca i32) (local $cb i32) (local $cc i32) (local $cd i32)
    (local $sa i32) (local $sb i32) (local $sc i32) (local $sd i32)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128) (local $p4 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128) (local $q4 v128)
    (local $x1 v128) (local $x2 v128) (local $y1 v128) (local $y2 v128)
    (local $u1 v128) (local $u2 v128) (local $z1 v128) (local $z2 v128)
    (local $xac v128) (local $xbd v128) (local $vac v128) (local $vbd v128)
    (local $h v128) (local $e v128) (local $s v128) (local $t v128)
    (local $lo v128) (local $hi v128) (local $tiny v128)
    ;; Byte offsets of the four lines, their coefficients and states; read offsets w − d.
    (local.set $la (i32.add (local.get $lines) (i32.shl (i32.mul (local.get $g) (local.get $size)) (i32.const 3))))
    (local.set $lb (i32.add (local.get $la) (i32.shl (local.get $size) (i32.const 3))))
    (local.set $lc (i32.add (local.get $lb) (i32.shl (local.get $size) (i32.const 3))))
    (local.set $ld (i32.add (local.get $lc) (i32.shl (local.get $size) (i32.const 3))))
    (local.set $ca (i32.add (local.get $coef) (i32.mul (local.get $g) (i32.const 40))))
    (local.set $cb (i32.add (local.get $ca) (i32.const 40)))
    (local.set $cc (i32.add (local.get $cb) (i32.const 40)))
    (local.set $cd (i32.add (local.get $cc) (i32.const 40)))
    (local.set $sa (i32.add (local.get $fst) (i32.mul (local.get $g) (i32.const 32))))
    (local.set $sb (i32.add (local.get $sa) (i32.const 32)))
    (local.set $sc (i32.add (local.get $sb) (i32.const 32)))
    (local.set $sd (i32.add (local.get $sc) (i32.const 32)))
    (local.set $ra (i32.sub (local.get $w) (i32.load (i32.add (local.get $d) (i32.shl (local.get $g) (i32.const 2))))))
    (local.set $rb (i32.sub (local.get $w) (i32.load offset=4 (i32.add (local.get $d) (i32.shl (local.get $g) (i32.const 2))))))
    (local.set $rc (i32.sub (local.get $w) (i32.load offset=8 (i32.add (local.get $d) (i32.shl (local.get $g) (i32.const 2))))))
    (local.set $rd (i32.sub (local.get $w) (i32.load offset=12 (i32.add (local.get $d) (i32.shl (local.get $g) (i32.const 2))))))
    ;; Coefficients: p for lanes (a, c), q for (b, d).
    (local.set $p0 (v128.load64_lane 1 (local.get $cc) (v128.load64_zero (local.get $ca))))
    (local.set $p1 (v128.load64_lane offset=8 1 (local.get $cc) (v128.load64_zero offset=8 (local.get $ca))))
    (local.set $p2 (v128.load64_lane offset=16 1 (local.get $cc) (v128.load64_zero offset=16 (local.get $ca))))
    (local.set $p3 (v128.load64_lane offset=24 1 (local.get $cc) (v128.load64_zero offset=24 (local.get $ca))))
    (local.set $p4 (v128.load64_lane offset=32 1 (local.get $cc) (v128.load64_zero offset=32 (local.get $ca))))
    (local.set $q0 (v128.load64_lane 1 (local.get $cd) (v128.load64_zero (local.get $cb))))
    (local.set $q1 (v128.load64_lane offset=8 1 (local.get $cd) (v128.load64_zero offset=8 (local.get $cb))))
    (local.set $q2 (v128.load64_lane offset=16 1 (local.get $cd) (v128.load64_zero offset=16 (local.get $cb))))
    (local.set $q3 (v128.load64_lane offset=24 1 (local.get $cd) (v128.load64_zero offset=24 (local.get $cb))))
    (local.set $q4 (v128.load64_lane offset=32 1 (local.get $cd) (v128.load64_zero offset=32 (local.get $cb))))
    ;; States.
    (local.set $x1 (v128.load64_lane 1 (local.get $sc) (v128.load64_zero (local.get $sa))))
    (local.set $x2 (v128.load64_lane offset=8 1 (local.get $sc) (v128.load64_zero offset=8 (local.get $sa))))
    (local.set $y1 (v128.load64_lane offset=16 1 (local.get $sc) (v128.load64_zero offset=16 (local.get $sa))))
    (local.set $y2 (v128.load64_lane offset=24 1 (local.get $sc) (v128.load64_zero offset=24 (local.get $sa))))
    (local.set $u1 (v128.load64_lane 1 (local.get $sd) (v128.load64_zero (local.get $sb))))
    (local.set $u2 (v128.load64_lane offset=8 1 (local.get $sd) (v128.load64_zero offset=8 (local.get $sb))))
    (local.set $z1 (v128.load64_lane offset=16 1 (local.get $sd) (v128.load64_zero offset=16 (local.get $sb))))
    (local.set $z2 (v128.load64_lane offset=24 1 (local.get $sd) (v128.load64_zero offset=24 (local.get $sb))))
    (local.set $lo (f64x2.splat (f64.const -2500)))
    (local.set $hi (f64x2.splat (f64.const 2500)))
    (local.set $tiny (f64x2.splat (f64.const 1e-30)))
    (local.set $j (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $j) (local.get $k)))
        (local.set $xac
          (v128.load64_lane 1
            (i32.add (local.get $lc) (i32.shl (i32.and (i32.add (local.get $rc) (local.get $j)) (local.get $mask)) (i32.const 3)))
            (v128.load64_zero
              (i32.add (local.get $la) (i32.shl (i32.and (i32.add (local.get $ra) (local.get $j)) (local.get $mask)) (i32.const 3))))))
        (local.set $xbd
          (v128.load64_lane 1
            (i32.add (local.get $ld) (i32.shl (i32.and (i32.add (local.get $rd) (local.get $j)) (local.get $mask)) (i32.const 3)))
            (v128.load64_zero
              (i32.add (local.get $lb) (i32.shl (i32.and (i32.add (local.get $rb) (local.get $j)) (local.get $mask)) (i32.const 3))))))
        ;; v = b0·x + b1·x1 + b2·x2 − a2·y2 − a1·y1, in that order.
        (local.set $vac
          (f64x2.sub
            (f64x2.sub
              (f64x2.add
                (f64x2.add (f64x2.mul (local.get $p0) (local.get $xac)) (f64x2.mul (local.get $p1) (local.get $x1)))
                (f64x2.mul (local.get $p2) (local.get $x2)))
              (f64x2.mul (local.get $p4) (local.get $y2)))
            (f64x2.mul (local.get $p3) (local.get $y1))))
        (local.set $vbd
          (f64x2.sub
            (f64x2.sub
              (f64x2.add
                (f64x2.add (f64x2.mul (local.get $q0) (local.get $xbd)) (f64x2.mul (local.get $q1) (local.get $u1)))
                (f64x2.mul (local.get $q2) (local.get $u2)))
              (f64x2.mul (local.get $q4) (local.get $z2)))
            (f64x2.mul (local.get $q3) (local.get $z1))))
        (local.set $x2 (local.get $x1))
        (local.set $x1 (local.get $xac))
        (local.set $y2 (local.get $y1))
        (local.set $y1 (local.get $vac))
        (local.set $u2 (local.get $u1))
        (local.set $u1 (local.get $xbd))
        (local.set $z2 (local.get $z1))
        (local.set $z1 (local.get $vbd))
        ;; The states keep the filters' own outputs; the lines get them clamped to ±2500
        ;; (pmax(v, lo) = v < lo ? lo : v: NaN stays NaN) and set to 0 below 1e-30 (and NaN).
        (local.set $vac (v128.and (f64x2.pmin (f64x2.pmax (local.get $vac) (local.get $lo)) (local.get $hi))
          (f64x2.ge (f64x2.abs (local.get $vac)) (local.get $tiny))))
        (local.set $vbd (v128.and (f64x2.pmin (f64x2.pmax (local.get $vbd) (local.get $lo)) (local.get $hi))
          (f64x2.ge (f64x2.abs (local.get $vbd)) (local.get $tiny))))
        ;; h = (a+b, c+d), e = (a−b, c−d); s = (h0, e0), t = (h1, e1); s + t = (y0, y1), s − t = (y2, y3).
        (local.set $h (f64x2.add (local.get $vac) (local.get $vbd)))
        (local.set $e (f64x2.sub (local.get $vac) (local.get $vbd)))
        (local.set $s (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $h) (local.get $e)))
        (local.set $t (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $h) (local.get $e)))
        (local.set $h (f64x2.add (local.get $s) (local.get $t)))
        (local.set $e (f64x2.sub (local.get $s) (local.get $t)))
        (local.set $p (i32.shl (i32.and (i32.add (local.get $w) (local.get $j)) (local.get $mask)) (i32.const 3)))
        (v128.store64_lane 0 (i32.add (local.get $la) (local.get $p)) (local.get $h))
        (v128.store64_lane 1 (i32.add (local.get $lb) (local.get $p)) (local.get $h))
        (v128.store64_lane 0 (i32.add (local.get $lc) (local.get $p)) (local.get $e))
        (v128.store64_lane 1 (i32.add (local.get $ld) (local.get $p)) (local.get $e))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))
    (v128.store64_lane 0 (local.get $sa) (local.get $x1))
    (v128.store64_lane offset=8 0 (local.get $sa) (local.get $x2))
    (v128.store64_lane offset=16 0 (local.get $sa) (local.get $y1))
    (v128.store64_lane offset=24 0 (local.get $sa) (local.get $y2))
    (v128.store64_lane 1 (local.get $sc) (local.get $x1))
    (v128.store64_lane offset=8 1 (local.get $sc) (local.get $x2))
    (v128.store64_lane offset=16 1 (local.get $sc) (local.get $y1))
    (v128.store64_lane offset=24 1 (local.get $sc) (local.get $y2))
    (v128.store64_lane 0 (local.get $sb) (local.get $u1))
    (v128.store64_lane offset=8 0 (local.get $sb) (local.get $u2))
    (v128.store64_lane offset=16 0 (local.get $sb) (local.get $z1))
    (v128.store64_lane offset=24 0 (local.get $sb) (local.get $z2))
    (v128.store64_lane 1 (local.get $sd) (local.get $u1))
    (v128.store64_lane offset=8 1 (local.get $sd) (local.get $u2))
    (v128.store64_lane offset=16 1 (local.get $sd) (local.get $z1))
    (v128.store64_lane offset=24 1 (local.get $sd) (local.get $z2)))

  ;; Lines g, g+4, g+8, g+12 at the write index: the 4-point transform again, plus the input
  ;; (line i gets … + bᵢ·u); tap 1 also writes the second output to `t`, tap 2 the third.
  ;; Lanes: (g, g+8) and (g+4, g+12).
  (func $outer (param $lines i32) (param $size i32) (param $mask i32) (param $w i32) (param $k i32)
    (param $g i32) (param $u i32) (param $b i32) (param $tap i32) (param $t i32)
    (local $j i32) (local $l0 i32) (local $l1 i32) (local $l2 i32) (local $l3 i32) (local $p i32)
    (local $ac v128) (local $bd v128) (local $h v128) (local $e v128) (local $s v128) (local $q v128)
    (local $b01 v128) (local $b23 v128) (local $x v128) (local $stride i32)
    (local.set $stride (i32.shl (i32.shl (local.get $size) (i32.const 2)) (i32.const 3)))
    (local.set $l0 (i32.add (local.get $lines) (i32.shl (i32.mul (local.get $g) (local.get $size)) (i32.const 3))))
    (local.set $l1 (i32.add (local.get $l0) (local.get $stride)))
    (local.set $l2 (i32.add (local.get $l1) (local.get $stride)))
    (local.set $l3 (i32.add (local.get $l2) (local.get $stride)))
    (local.set $b01
      (v128.load64_lane offset=32 1 (i32.add (local.get $b) (i32.shl (local.get $g) (i32.const 3)))
        (v128.load64_zero (i32.add (local.get $b) (i32.shl (local.get $g) (i32.const 3))))))
    (local.set $b23
      (v128.load64_lane offset=96 1 (i32.add (local.get $b) (i32.shl (local.get $g) (i32.const 3)))
        (v128.load64_zero offset=64 (i32.add (local.get $b) (i32.shl (local.get $g) (i32.const 3))))))
    (local.set $j (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $j) (local.get $k)))
        (local.set $p (i32.shl (i32.and (i32.add (local.get $w) (local.get $j)) (local.get $mask)) (i32.const 3)))
        (local.set $ac (v128.load64_lane 1 (i32.add (local.get $l2) (local.get $p)) (v128.load64_zero (i32.add (local.get $l0) (local.get $p)))))
        (local.set $bd (v128.load64_lane 1 (i32.add (local.get $l3) (local.get $p)) (v128.load64_zero (i32.add (local.get $l1) (local.get $p)))))
        ;; h = (s0, s2), e = (s1, s3); (s0, s1) ± (s2, s3) = (q0, q1), (q2, q3).
        (local.set $h (f64x2.add (local.get $ac) (local.get $bd)))
        (local.set $e (f64x2.sub (local.get $ac) (local.get $bd)))
        (local.set $s (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $h) (local.get $e)))
        (local.set $e (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $h) (local.get $e)))
        (local.set $q (f64x2.add (local.get $s) (local.get $e)))
        (local.set $e (f64x2.sub (local.get $s) (local.get $e)))
        (local.set $x (v128.load64_splat (i32.add (local.get $u) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $h (f64x2.add (local.get $q) (f64x2.mul (local.get $b01) (local.get $x))))
        (local.set $s (f64x2.add (local.get $e) (f64x2.mul (local.get $b23) (local.get $x))))
        (v128.store64_lane 0 (i32.add (local.get $l0) (local.get $p)) (local.get $h))
        (v128.store64_lane 1 (i32.add (local.get $l1) (local.get $p)) (local.get $h))
        (v128.store64_lane 0 (i32.add (local.get $l2) (local.get $p)) (local.get $s))
        (v128.store64_lane 1 (i32.add (local.get $l3) (local.get $p)) (local.get $s))
        (if (i32.eq (local.get $tap) (i32.const 1))
          (then (v128.store64_lane 1 (i32.add (local.get $t) (i32.shl (local.get $j) (i32.const 3))) (local.get $q))))
        (if (i32.eq (local.get $tap) (i32.const 2))
          (then (v128.store64_lane 0 (i32.add (local.get $t) (i32.shl (local.get $j) (i32.const 3))) (local.get $e))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next))))

  ;; One chunk of the network (no cross-fade running): the 16 lines read, filtered and mixed by
  ;; H₁₆ = H₄ ⊗ H₄, the input added, written back; the left and right outputs to wl and wr.
  (func (export "network") (param $lines i32) (param $size i32) (param $w i32) (param $k i32)
    (param $coef i32) (param $fst i32) (param $d i32) (param $b i32) (param $u i32) (param $wl i32) (param $wr i32)
    (local $mask i32)
    (local.set $mask (i32.sub (local.get $size) (i32.const 1)))
    (call $group (local.get $lines) (local.get $size) (local.get $mask) (local.get $w) (local.get $k) (i32.const 0) (local.get $coef) (local.get $fst) (local.get $d))
    (call $group (local.get $lines) (local.get $size) (local.get $mask) (local.get $w) (local.get $k) (i32.const 4) (local.get $coef) (local.get $fst) (local.get $d))
    (call $group (local.get $lines) (local.get $size) (local.get $mask) (local.get $w) (local.get $k) (i32.const 8) (local.get $coef) (local.get $fst) (local.get $d))
    (call $group (local.get $lines) (local.get $size) (local.get $mask) (local.get $w) (local.get $k) (i32.const 12) (local.get $coef) (local.get $fst) (local.get $d))
    (call $outer (local.get $lines) (local.get $size) (local.get $mask) (local.get $w) (local.get $k) (i32.const 0) (local.get $u) (local.get $b) (i32.const 0) (local.get $wl))
    (call $outer (local.get $lines) (local.get $size) (local.get $mask) (local.get $w) (local.get $k) (i32.const 1) (local.get $u) (local.get $b) (i32.const 1) (local.get $wl))
    (call $outer (local.get $lines) (local.get $size) (local.get $mask) (local.get $w) (local.get $k) (i32.const 2) (local.get $u) (local.get $b) (i32.const 2) (local.get $wr))
    (call $outer (local.get $lines) (local.get $size) (local.get $mask) (local.get $w) (local.get $k) (i32.const 3) (local.get $u) (local.get $b) (i32.const 0) (local.get $wl))))
