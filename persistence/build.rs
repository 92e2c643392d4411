// `embed_migrations!` notices new migration folders only when the build reruns on their change.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
