// Migrations are embedded at compile time: rebuild when a migration folder changes.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
