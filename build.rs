//! Embeds every file under `specs/` so that an installed binary runs the suite
//! without a checkout.
use std::fmt::Write as _;
use std::path::Path;

fn collect(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=specs");
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&root);
    let mut files = Vec::new();
    collect(&root.join("specs"), &mut files);
    let mut code = String::from("&[\n");
    for file in &files {
        let rel = Path::new(file)
            .strip_prefix(root)
            .expect("collected under the root")
            .to_string_lossy()
            .replace('\\', "/");
        println!("cargo:rerun-if-changed={file}");
        writeln!(code, "    ({rel:?}, include_str!({file:?})),").expect("write to a String");
    }
    code.push(']');
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_specs.rs");
    std::fs::write(out, code).expect("write embedded_specs.rs");
}
