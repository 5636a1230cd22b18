;; The partitioned convolution's spectral products, one complex bin per f64x2 vector (re, im):
;; y += Σ X·H over one, two or four partitions, summed in the same order as the JavaScript
;; spectralMac, spectralMac2 and spectralMac4 in partitioned-convolution.ts, so both give the same
;; bits. A complex product X·H, X = (ar, ai), H = (br, bi), is (ar·br + (−ai·bi), ar·bi + ai·br):
;; two lane-wise products and one sum, −x being exact (written out in each loop: a call per
;; product is not inlined by every engine). Built into convolution-kernel.ts by `npm run build:wasm`.
;;
;; Addresses are byte offsets into the imported memory; `len` counts doubles (2 per bin).
(module
  (memory (import "env" "memory") 1)

  (func (export "mac1") (param $xa i32) (param $ha i32) (param $y i32) (param $len i32)
    (local $o i32) (local $n i32) (local $x v128) (local $h v128) (local $sign v128)
    (local.set $sign (v128.const i64x2 0x8000000000000000 0))
    (local.set $n (i32.shl (local.get $len) (i32.const 3)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $o) (local.get $n)))
        (v128.store (i32.add (local.get $y) (local.get $o))
          (f64x2.add (v128.load (i32.add (local.get $y) (local.get $o)))
            (f64x2.add
              (f64x2.mul (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.tee $x (v128.load (i32.add (local.get $xa) (local.get $o)))) (local.get $x))
                (local.tee $h (v128.load (i32.add (local.get $ha) (local.get $o)))))
              (v128.xor
                (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x) (local.get $x))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $h) (local.get $h)))
                (local.get $sign)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $next))))

  (func (export "mac2") (param $xa i32) (param $xb i32) (param $ha i32) (param $hb i32) (param $y i32) (param $len i32)
    (local $o i32) (local $n i32) (local $x v128) (local $h v128) (local $sign v128)
    (local.set $sign (v128.const i64x2 0x8000000000000000 0))
    (local.set $n (i32.shl (local.get $len) (i32.const 3)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $o) (local.get $n)))
        (v128.store (i32.add (local.get $y) (local.get $o))
          (f64x2.add (v128.load (i32.add (local.get $y) (local.get $o)))
            (f64x2.add
              (f64x2.add
              (f64x2.mul (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.tee $x (v128.load (i32.add (local.get $xa) (local.get $o)))) (local.get $x))
                (local.tee $h (v128.load (i32.add (local.get $ha) (local.get $o)))))
              (v128.xor
                (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x) (local.get $x))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $h) (local.get $h)))
                (local.get $sign)))
              (f64x2.add
              (f64x2.mul (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.tee $x (v128.load (i32.add (local.get $xb) (local.get $o)))) (local.get $x))
                (local.tee $h (v128.load (i32.add (local.get $hb) (local.get $o)))))
              (v128.xor
                (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x) (local.get $x))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $h) (local.get $h)))
                (local.get $sign))))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $next))))

  ;; Partitions a … d: h at ha, ha + hs, ha + 2·hs, ha + 3·hs.
  (func (export "mac4") (param $xa i32) (param $xb i32) (param $xc i32) (param $xd i32) (param $ha i32) (param $hs i32) (param $y i32) (param $len i32)
    (local $o i32) (local $n i32) (local $hb i32) (local $hc i32) (local $hd i32) (local $x v128) (local $h v128) (local $sign v128)
    (local.set $sign (v128.const i64x2 0x8000000000000000 0))
    (local.set $n (i32.shl (local.get $len) (i32.const 3)))
    (local.set $hb (i32.add (local.get $ha) (local.get $hs)))
    (local.set $hc (i32.add (local.get $hb) (local.get $hs)))
    (local.set $hd (i32.add (local.get $hc) (local.get $hs)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $o) (local.get $n)))
        (v128.store (i32.add (local.get $y) (local.get $o))
          (f64x2.add (v128.load (i32.add (local.get $y) (local.get $o)))
            (f64x2.add
              (f64x2.add
                (f64x2.add
                  (f64x2.add
              (f64x2.mul (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.tee $x (v128.load (i32.add (local.get $xa) (local.get $o)))) (local.get $x))
                (local.tee $h (v128.load (i32.add (local.get $ha) (local.get $o)))))
              (v128.xor
                (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x) (local.get $x))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $h) (local.get $h)))
                (local.get $sign)))
                  (f64x2.add
              (f64x2.mul (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.tee $x (v128.load (i32.add (local.get $xb) (local.get $o)))) (local.get $x))
                (local.tee $h (v128.load (i32.add (local.get $hb) (local.get $o)))))
              (v128.xor
                (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x) (local.get $x))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $h) (local.get $h)))
                (local.get $sign))))
                (f64x2.add
              (f64x2.mul (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.tee $x (v128.load (i32.add (local.get $xc) (local.get $o)))) (local.get $x))
                (local.tee $h (v128.load (i32.add (local.get $hc) (local.get $o)))))
              (v128.xor
                (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x) (local.get $x))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $h) (local.get $h)))
                (local.get $sign))))
              (f64x2.add
              (f64x2.mul (i8x16.shuffle 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 (local.tee $x (v128.load (i32.add (local.get $xd) (local.get $o)))) (local.get $x))
                (local.tee $h (v128.load (i32.add (local.get $hd) (local.get $o)))))
              (v128.xor
                (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x) (local.get $x))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $h) (local.get $h)))
                (local.get $sign))))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $next)))))
