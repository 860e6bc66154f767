from mougen.cli import main

main()
