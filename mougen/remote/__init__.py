"""Remote signing: programme keys held in the server's token, released by an emailed code."""
