from zjcheck.cli import main

main()
