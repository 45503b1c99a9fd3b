from glossary_check.commands.cli import main

raise SystemExit(main())
