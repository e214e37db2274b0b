//! Gives the shared library a versioned soname (`libwarranty.so.MAJOR`), as C hosts expect.
//! Writes nothing into the source tree (the header is made by `make header`).

fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
    if target_os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libwarranty.so.{major}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
