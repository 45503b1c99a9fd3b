from glossary_check.cli import main

raise SystemExit(main())
