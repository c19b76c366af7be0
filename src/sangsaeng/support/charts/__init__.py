"""Charts drawn as SVG text on the server (the portal's content security policy admits no foreign script): a
horizontal bar chart of categories and a column chart over months, each a picture with a title and a label for
screen readers, its numbers given again in a table beside it by the page."""
