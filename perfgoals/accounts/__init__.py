"""The second factor at login (等保2.0 level 3: 两种或两种以上组合的鉴别技术).

A time-based one-time code (TOTP, django-otp) from an authenticator app on the user's phone:
the user sets it up on one page (`views.second_factor`), and from then on gives the code with
the password on the app login and the admin login (`forms`). Wrong codes count as failed
logins for django-axes and back off through django-otp's throttling. Roles named in
OTP_REQUIRED_ROLES must set one up before anything else (`middleware`).
"""
