//! The ground truth a clone carries (testdata/shared/corpus-and-seeds.tar.xz)
//! is the one in ../shared, file for file and byte for byte, where both
//! exist: the tests read the tarball, so a clone with no ../shared tests
//! itself on the same data.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// Every file under `dir`, by relative path, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect()
}

#[test]
fn the_tarball_holds_what_shared_holds() {
    let source = repo().join("../shared");
    let bundled = shared();
    for part in ["corpus", "seeds"] {
        let inside = files(&bundled.join(part));
        assert!(inside.contains_key("README.md") || part == "seeds", "{part}: no README.md in the tarball");
        assert!(!inside.is_empty(), "{part}: empty in the tarball");
        if !source.join(part).is_dir() {
            eprintln!("no ../shared/{part} beside the checkout: nothing to compare the tarball with");
            continue;
        }
        let outside = files(&source.join(part));
        let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(names(&inside), names(&outside), "{part}: other files than ../shared/{part}; run scripts/pack-testdata.sh");
        for (name, bytes) in &outside {
            assert!(inside[name] == *bytes, "{part}/{name} differs from ../shared; run scripts/pack-testdata.sh");
        }
    }
}
