fn main() -> std::process::ExitCode {
    clearinghuis::cli::main()
}
