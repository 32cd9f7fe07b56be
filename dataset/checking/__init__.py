"""validate: every check of every kind (the Check record), the images looked at
against their own latents, and files IdentBox does not write."""
