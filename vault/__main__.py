from vault.cli.main import main

main()
