"""The desk's pages. Thin views: parse input, call one service, render (an htmx region when asked)."""
