from pdlint.cli import main

main()
