// Embedded migrations must be rebuilt when a migration file changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
