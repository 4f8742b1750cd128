; Inno Setup script: installs the PyInstaller folder dist\regie as "Régie" on Windows.
; Saved as UTF-8 with a byte-order mark: Inno Setup then reads the accents right.
; Built by installer\windows\build.ps1 (which passes AppVersion and Repo); by hand:
;   iscc /DAppVersion=0.1.0 /DRepo=C:\src\regie installer\windows\regie.iss
; Smart-card readers: Windows has its own PC/SC service (SCardSvr); an ACR122U works with the
; driver Windows Update installs (or ACS's), no udev rule or blacklist is needed.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef Repo
  #define Repo "..\.."
#endif

[Setup]
AppId={{7C1E5A52-3B8F-4E0B-9B57-52E6A1D0C7F1}
AppName=Régie
AppVersion={#AppVersion}
AppPublisher=Régie
DefaultDirName={autopf}\Regie
DefaultGroupName=Régie
DisableProgramGroupPage=yes
OutputDir={#Repo}\dist\installer
OutputBaseFilename=Regie-{#AppVersion}-setup
SetupIconFile={#Repo}\resources\regie.ico
UninstallDisplayIcon={app}\regie.exe
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
WizardStyle=modern
PrivilegesRequiredOverridesAllowed=dialog

[Languages]
Name: "french"; MessagesFile: "compiler:Languages\French.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
french.OpenRegie=Ouvrir Régie
english.OpenRegie=Open Régie
french.Doctor=Vérifier le poste (lecteurs, base, clé Stripe)
english.Doctor=Check this computer (readers, database, Stripe key)

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "{#Repo}\dist\regie\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#Repo}\resources\regie.ico"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
; `regie` is a console program: without a command it opens the window; the console is hidden
; by starting it minimised from the shortcut.
Name: "{group}\Régie"; Filename: "{app}\regie.exe"; IconFilename: "{app}\regie.ico"; Flags: runminimized
Name: "{group}\{cm:Doctor}"; Filename: "{cmd}"; Parameters: "/k ""{app}\regie.exe"" doctor"; IconFilename: "{app}\regie.ico"
Name: "{autodesktop}\Régie"; Filename: "{app}\regie.exe"; IconFilename: "{app}\regie.ico"; Flags: runminimized; Tasks: desktopicon

[Run]
Filename: "{app}\regie.exe"; Description: "{cm:OpenRegie}"; Flags: nowait postinstall skipifsilent runminimized
